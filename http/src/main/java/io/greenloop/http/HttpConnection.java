package io.greenloop.http;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.GreenletExit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.ERROR;

/**
 * One HTTP/1.1 connection, served by its own greenlet in order: read a head, parse it, run the handler,
 * finish the response and the request body, and again while the connection is kept alive. Pipelining falls
 * out of that order: requests that arrived together are answered in turn, and their responses collect in the
 * output buffer until the connection must wait for its peer, so they leave in one write.
 *
 * <p>Buffers are borrowed from the loop's {@link LoopResources} while a request is in progress; between
 * requests the connection gives them back and waits for readability (see {@link #serve()}), owning none.
 *
 * <p>Phases, for the server's sweep (timeouts) and stop (idle connections close at once):
 * <pre>
 *   IDLE  --first byte, head incomplete--> HEAD --head parsed--> HANDLER --handler returns--> IDLE (or HEAD when
 *   the next request is buffered already); any socket wait of an exchange: HANDLER --> IO --> HANDLER;
 *   HANDLER --upgrade()--> UPGRADED
 * </pre>
 * HEAD ends at its {@link #deadline}, the head timeout from the head's first byte (a new connection's first
 * request counts from the accept, and its IDLE phase too); IDLE and IO end after the idle timeout; HANDLER and
 * UPGRADED have no limit.
 * The connection is independent of how it was accepted: {@link #serve()} needs only its {@link LoopServer}
 * (handler, options, counters) and a connected {@link Wire}.
 *
 * <p>Thread rule: its greenlet, and the loop's thread for {@link #end}.
 */
final class HttpConnection {

    static final int IDLE = 0;
    static final int HEAD = 1;
    static final int HANDLER = 2;
    static final int IO = 3;
    static final int UPGRADED = 4;
    static final long NO_DEADLINE = Long.MIN_VALUE;

    /** Unread request body the server reads and drops after a handler so the connection can go on; beyond it, it closes. */
    static final long DRAIN_LIMIT = 64 * 1024;
    /** What a read asks the buffer to hold, at least, while a head or a chunk line is incomplete. */
    private static final int READ_CHUNK = 4096;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The longest request line quoted in a log record. */
    private static final int LOGGED_LINE = 200;

    /** The server's list of its connections. */
    HttpConnection previous;
    HttpConnection next;
    /**
     * What it is doing and, for a head, until when (for the sweep); written by its greenlet, read on the loop's
     * thread. Every change of phase counts in {@link #phaseChanges}, by which the sweep times idle and I/O
     * waits itself (see {@link LoopServer}), so that they take no clock reading of their own.
     */
    int phase = IDLE;
    long deadline = NO_DEADLINE;
    int phaseChanges;
    /** The sweep's notes: the phase change it last saw, and when it first saw it. */
    int sweptChanges = -1;
    long sweptSince;
    private int phaseBeforeIo;
    private long deadlineBeforeIo;
    /** Why the server ended it (a timeout, a stop), once it did. */
    private String endedBy;

    final LoopServer server;
    /** Its socket both ways: what it reads, and what it has to send. */
    final Wire wire;
    private final InetSocketAddress peer;
    private final Greenlet<?> greenlet;
    private Inbound in;
    private RequestBody body;
    private HttpResponse response;
    /** An exchange is in progress: its request and response may be used. */
    private boolean live;
    private boolean continueSent;
    /** Body bytes had arrived with the head: the client is not waiting for a 100 Continue. */
    private boolean clientSentBody;
    private boolean wireFailed;

    HttpConnection(LoopServer server, Wire wire, InetSocketAddress peer) {
        this.server = server;
        this.wire = wire;
        this.peer = peer;
        this.greenlet = Green.current();
        wire.servedBy(this);
    }

    /**
     * Serves requests until the connection ends; the caller closes the socket after. Between requests the
     * connection waits for the next one's first bytes here, in this short loop, and not in a read deeper down: a
     * parked greenlet keeps its stack frames on the heap, so an idle connection costs the frames below this wait,
     * and they are fewer and smaller here, where the request path ({@link #serveRequest}) has returned.
     */
    void serve() {
        server.opened(this);
        try {
            deadline = server.headDeadline();
            for (boolean first = true; ; first = false) {
                if (!requestBuffered()) {
                    if (!goIdle(first)) {
                        break;
                    }
                    waitReadable();
                }
                if (!serveRequest(first)) {
                    break;
                }
            }
            wire.flush();
        } catch (HttpRejection rejection) {
            reject(rejection);
        } catch (IOException e) {
            HttpLog.log(DEBUG, "{0}: the connection from {1} ended: {2}", server, peer, e.toString());
        } finally {
            live = false;
            if (endedBy != null) {
                HttpLog.log(DEBUG, "{0} closed the connection from {1}: {2}", server, peer, endedBy);
            }
            releaseInbound();
            wire.discard();
            server.closed(this);
        }
    }

    /** Whether the next request's first bytes are buffered already (pipelined behind the last one). */
    private boolean requestBuffered() {
        return in != null && in.buffered() > 0;
    }

    /**
     * Between requests, before the wait: sends what is pending and gives the buffers back, so that an idle
     * connection owns none; false when the server is stopping and the connection should end instead. A stopping
     * server waits for no further request on a connection; a connection's first one, though, is read and answered
     * (with Connection: close): the client has sent it, and closing with it unread would reset the connection.
     * The connections a stop takes from the accept queue are served that way.
     */
    private boolean goIdle(boolean first) throws IOException {
        toPhase(IDLE, first ? deadline : NO_DEADLINE);
        wire.flush();
        if (server.stopping() && !first) {
            return false;
        }
        releaseInbound();
        wire.release();
        return true;
    }

    /** Parks until a read may find the next request's bytes, reading nothing ({@link Wire#waitReadable}). */
    private void waitReadable() throws IOException {
        try {
            wire.waitReadable();
        } catch (IOException e) {
            wireFailed = true;
            throw e;
        }
    }

    /** Reads, parses and answers one request; false when the connection should end after it. */
    private boolean serveRequest(boolean first) throws IOException {
        return readHead(first) && exchange() && !server.stopping();
    }

    /** Reads until a whole head is buffered and parses it; false when the connection should end instead. */
    private boolean readHead(boolean first) throws IOException {
        long firstDeadline = deadline;
        if (in != null && in.buffered() > 0) {
            in.startHead();
            toPhase(HEAD, NO_DEADLINE);
        } else {
            toPhase(IDLE, first ? firstDeadline : NO_DEADLINE);
        }
        boolean timed = false;
        while (true) {
            if (in != null && in.buffered() > 0) {
                int headEnd = in.findHeadEnd(server.options.maxRequestLineBytes(), server.options.maxHeadBytes());
                if (headEnd >= 0) {
                    HeadParser.parse(in, headEnd, server.options);
                    return true;
                }
                if (!timed) {
                    // Only a head that must wait for more bytes reads the clock: the head timeout starts now.
                    toPhase(HEAD, first ? firstDeadline : server.headDeadline());
                    timed = true;
                }
                if (!in.makeRoom(READ_CHUNK, Math.max(Inbound.SIZE, server.options.maxHeadBytes() + 1))) {
                    // findHeadEnd refuses a head that fills this much first; a full buffer here would read nothing forever
                    throw new HttpRejection(431, "the request head is longer than " + server.options.maxHeadBytes() + " bytes");
                }
            }
            wire.flush();
            int n = in == null || in.buffered() == 0 ? readIdle() : readMore();
            if (n < 0) {
                if (in != null && in.buffered() > 0) {
                    HttpLog.log(DEBUG, "{0}: {1} closed the connection in the middle of a request head", server, peer);
                }
                return false;
            }
        }
    }

    /**
     * Reads a new request's first bytes, which {@link #serve} waited for, without a buffer of its own: the
     * read lands in the loop's shared idle buffer and is copied into a borrowed one before anything can park (see
     * {@link LoopResources#idleReads}); should the wait have ended with nothing to read after all, the read parks
     * owning no buffer still.
     */
    private int readIdle() throws IOException {
        ByteBuffer shared = server.resources.idleReads;
        int n = read(shared);
        if (n <= 0) {
            shared.clear();
            return -1;
        }
        in = server.resources.borrowInbound();
        System.arraycopy(shared.array(), 0, in.buf, 0, n);
        shared.clear();
        in.end = n;
        return n;
    }

    private int readMore() throws IOException {
        int n = read(in.readView());
        if (n > 0) {
            in.end += n;
        }
        return n;
    }

    private int read(ByteBuffer dst) throws IOException {
        try {
            return wire.read(dst);
        } catch (IOException e) {
            wireFailed = true;
            throw e;
        }
    }

    /** One request: the handler, then finishing its response and its body. Returns whether to keep the connection. */
    private boolean exchange() throws IOException {
        RequestHead head = in.head;
        in.start = head.end;
        in.base = head.end;
        continueSent = false;
        clientSentBody = in.buffered() > 0;
        body = new RequestBody(this, in, server.options);
        if (head.chunked && !head.expectContinue) {
            body.checkFirstChunk();
        }
        HttpRequest request = new HttpRequest(this, in, body, peer);
        response = new HttpResponse(this, request);
        live = true;
        server.counters.request();
        toPhase(HANDLER, NO_DEADLINE);
        boolean reusable;
        try {
            server.handler.handle(request, response);
            reusable = response.finish();
        } catch (GreenletExit | VirtualMachineError e) {
            throw e;
        } catch (Throwable failure) {
            reusable = handlerFailed(request, failure);
        }
        live = false;
        if (phase == UPGRADED) {
            return false;
        }
        reusable = reusable && skipRestOfBody();
        body = null;
        response = null;
        in.base = 0;
        return reusable;
    }

    /** After the handler threw: a 500 before the response was committed, else the connection closes. */
    private boolean handlerFailed(HttpRequest request, Throwable failure) throws IOException {
        if (wireFailed) {
            HttpLog.log(DEBUG, "{0}: {1} went away during {2}: {3}", server, peer, requestLine(), failure.toString());
            return false;
        }
        if (failure instanceof HttpRejection rejection && !response.committed()) {
            server.counters.rejected();
            HttpLog.log(DEBUG, "{0}: refused the body of {1} from {2}: {3}", server, requestLine(), peer, rejection.getMessage());
            HttpResponse.sendError(this, request, rejection.status(), rejection.getMessage(), true);
            return false;
        }
        if (response.committed()) {
            HttpLog.log(ERROR, server + ": the handler failed after its response to " + requestLine() + " from "
                    + peer + " was committed; closing the connection", failure);
            return false;
        }
        HttpLog.log(ERROR, server + ": the handler failed on " + requestLine() + " from " + peer + "; answered 500", failure);
        return HttpResponse.sendError(this, request, 500, "Internal Server Error", false);
    }

    private boolean skipRestOfBody() {
        try {
            return body.skipRest(DRAIN_LIMIT);
        } catch (IOException e) {
            HttpLog.log(DEBUG, "{0}: the rest of a request body from {1} could not be read: {2}", server, peer, e.toString());
            return false;
        }
    }

    /** Answers a request refused before its handler, then closes the connection after letting the client read it. */
    private void reject(HttpRejection rejection) {
        server.counters.rejected();
        HttpLog.log(DEBUG, "{0}: refused a request from {1} with {2}: {3}", server, peer, rejection.status(), rejection.getMessage());
        try {
            HttpResponse.sendError(this, null, rejection.status(), rejection.getMessage(), true);
            wire.flush();
            LingeringClose.drain(wire, server.resources.idleReads);
        } catch (IOException e) {
            HttpLog.log(DEBUG, "{0}: could not answer {1}: {2}", server, peer, e.toString());
        }
    }

    /** Reads body bytes from the socket straight into the handler's array; -1 at the end of the stream. */
    int readBodyInto(byte[] b, int off, int len) throws IOException {
        beforeBodyRead();
        ioStarted();
        try {
            return read(ByteBuffer.wrap(b, off, len));
        } finally {
            ioEnded();
        }
    }

    /** Reads more body bytes into the buffer, after what is there; returns how many, -1 at the end of the stream. */
    int fillBody() throws IOException {
        if (in.buffered() == 0) {
            in.start = in.base;
            in.end = in.base;
        }
        if (!in.makeRoom(READ_CHUNK, in.base + Math.max(Inbound.SIZE, server.options.maxHeadBytes() + 1))) {
            // the chunk decoder refuses a line this long first; a full buffer here would read nothing forever
            throw new HttpRejection(431, "a chunk line longer than the head limit (" + server.options.maxHeadBytes() + " bytes) allows");
        }
        beforeBodyRead();
        ioStarted();
        try {
            int n = read(in.readView());
            if (n > 0) {
                in.end += n;
            }
            return n;
        } finally {
            ioEnded();
        }
    }

    /** Before waiting for body bytes: the 100 Continue the client may be waiting for, and whatever is pending. */
    private void beforeBodyRead() throws IOException {
        if (in.head.expectContinue && !continueSent) {
            continueSent = true;
            if (response == null || !response.committed()) {
                wire.reserve(CONTINUE.length).put(CONTINUE);
            }
        }
        wire.flush();
    }

    /** Whether the client waits for a 100 Continue before it sends the body, which was not sent yet. */
    boolean awaitingContinue() {
        return in.head.expectContinue && in.head.hasBody() && !continueSent && !clientSentBody;
    }

    /** Whether the connection must close after the response being committed (said in its Connection field). */
    boolean mustClose(boolean handlerAsked) {
        return handlerAsked || !in.head.keepAlive() || server.stopping() || awaitingContinue()
                || (body != null && body.unbuffered() > DRAIN_LIMIT);
    }

    /** The body of {@link HttpResponse#sendFile}: sendfile(2) on a plain socket, pieces through the buffer on TLS. */
    void sendFile(FileChannel file, long size, Path path) throws IOException {
        if (!wire.isTls()) {
            wire.flush();
            ioStarted();
            try {
                long sent = wire.transferFrom(file, 0, size);
                server.counters.wrote();
                if (sent < size) {
                    throw new IOException(path + " shrank to " + sent + " bytes while it was sent as " + size);
                }
            } finally {
                ioEnded();
            }
            return;
        }
        for (long sent = 0; sent < size; ) {
            Outbound out = wire.reserve(Wire.COPY_LIMIT);
            int n = file.read(ByteBuffer.wrap(out.buf, out.pos, (int) Math.min(out.room(), size - sent)), sent);
            if (n < 0) {
                throw new IOException(path + " shrank to " + sent + " bytes while it was sent as " + size);
            }
            out.pos += n;
            sent += n;
        }
    }

    /** After a 101: the handler owns the raw connection, with what was read after the request first. */
    HttpUpgrade upgraded() {
        toPhase(UPGRADED, NO_DEADLINE);
        return new Upgraded(wire, in);
    }

    /** A wait on the socket for the exchange in progress begins: the idle timeout bounds it. */
    void ioStarted() {
        phaseBeforeIo = phase;
        deadlineBeforeIo = deadline;
        if (phase != UPGRADED) {
            toPhase(IO, NO_DEADLINE);
        }
    }

    void ioEnded() {
        toPhase(phaseBeforeIo, deadlineBeforeIo);
    }

    void wireFailed() {
        wireFailed = true;
    }

    private void toPhase(int newPhase, long newDeadline) {
        phase = newPhase;
        deadline = newDeadline;
        phaseChanges++;
    }

    /** Ends the connection from outside (a timeout, a stop): kills its greenlet, whose exit closes the socket. Loop thread. */
    void end(String why) {
        if (endedBy != null || greenlet == Green.current()) {
            return;
        }
        endedBy = why;
        greenlet.kill(false);
    }

    void checkLive() {
        if (!live) {
            throw new IllegalStateException("this request's exchange is over: its handler returned; copy what a later"
                    + " greenlet needs before the handler returns");
        }
    }

    boolean ended() {
        return !live;
    }

    InetSocketAddress peer() {
        return peer;
    }

    /** The request line, for log records (cut at {@value #LOGGED_LINE} characters). */
    String requestLine() {
        if (in == null) {
            return "(no request)";
        }
        RequestHead head = in.head;
        String line = RequestHead.latin1(in.buf, in.requestLineStart(), Math.min(head.targetEnd, in.requestLineStart() + LOGGED_LINE));
        return line + (head.version == 11 ? " HTTP/1.1" : " HTTP/1.0");
    }

    private void releaseInbound() {
        if (in != null) {
            server.resources.release(in);
            in = null;
        }
    }
}
