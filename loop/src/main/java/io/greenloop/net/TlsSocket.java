package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Semaphore;
import io.greenloop.Waiter;
import io.greenloop.internal.Deadline;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLProtocolException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * TLS over a greenloop {@link TcpSocket}, gevent's {@code SSLSocket}: a {@link SSLEngine} wraps and unwraps
 * on the loop's own socket, so a greenlet per TLS connection reads like blocking code and parks (never blocks
 * the loop) while the network is slow. The handshake runs on the first {@link #handshake()}, read or write.
 *
 * <p>Thread rule: every method on the socket's loop (its owner thread or its greenlets), as {@link TcpSocket}.
 * One greenlet may read while another writes, also while TLS 1.3 post-handshake messages (NewSessionTicket,
 * KeyUpdate) pass; further readers (or writers) wait their turn.
 *
 * <p>Full duplex, and why it cannot deadlock. All greenlets run on one thread, so the engine itself is never
 * entered twice at once; what must not interleave is a <em>sequence</em> that spans a park point: a wrap
 * followed by writing its record (the next wrap reuses the output buffer and the records must leave in the
 * order the engine made them), and reading more bytes followed by the unwrap that consumes them. So each
 * direction has a lock held across its park points: {@code outbound} for wrap-then-send, {@code inbound} for
 * read-then-unwrap; the handshake takes both (outbound first, the only nesting order). An unwrap can leave
 * the engine wanting to send (a KeyUpdate answer, a TLS 1.2 renegotiation message). The reader never sends it
 * itself, nor waits for {@code outbound}: it would park holding {@code inbound} on a full send buffer that
 * drains only while the peer reads, and a peer doing the same at the same moment would deadlock both. A greenlet
 * of its own waits for {@code outbound} and sends it, while the reader goes on reading; a writer that holds
 * {@code outbound} sends it first, because it checks for pending handshake output after its last park. A writer
 * that needs the peer's handshake messages (TLS 1.2 renegotiation) unwraps them itself when no reader holds
 * {@code inbound}, and otherwise waits for the reader's next unwrap. Known gap: a TLS 1.2 renegotiation that the peer starts while a writer
 * streams does not complete until the writer pauses (TLS 1.3, which has no renegotiation, is not affected).
 * A greenlet that waited for the handshake while another did it does not then wait for {@code inbound}:
 * that other greenlet may be reading, for an answer to what this one is about to write.
 *
 * <p>End of stream: {@link #read} returns -1 after the peer's close_notify, and after a TCP FIN without
 * close_notify as well, as the JDK's {@code SSLSocket} does unless the system property
 * {@code com.sun.net.ssl.requireCloseNotify} is {@code true}, when it throws {@link SSLProtocolException}
 * "Remote host terminated the connection"; a FIN during the handshake throws {@link SSLHandshakeException}
 * "Remote host terminated the handshake". Handshake failures are the engine's own {@link SSLException}s.
 *
 * <p>Buffers: three per socket, sized from the session and grown on {@code BUFFER_OVERFLOW}, reused for
 * every record; the steady state allocates nothing per record.
 *
 * <p>Delegated tasks ({@link SSLEngine#getDelegatedTask()}), nearly all of a handshake's public-key work, run
 * inline on the loop: a few milliseconds per handshake during which the loop's other greenlets wait (README's
 * design notes on TLS say why inline). A provider whose tasks wait for the network (OCSP, a hardware token)
 * should be given an engine that runs them itself.
 */
public final class TlsSocket implements AutoCloseable {

    /** How long {@link #close()} waits to send close_notify when no timeout is set. */
    static final Duration CLOSE_NOTIFY_WAIT = Duration.ofSeconds(1);

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final boolean REQUIRE_CLOSE_NOTIFY = Boolean.getBoolean("com.sun.net.ssl.requireCloseNotify");

    private final TcpSocket socket;
    private final SSLEngine engine;
    private final Semaphore outbound = new Semaphore(1);
    private final Semaphore inbound = new Semaphore(1);
    /** Bytes read from the network and not unwrapped yet; fill mode. */
    private ByteBuffer netIn;
    /** Application bytes unwrapped and not delivered yet; read mode. */
    private ByteBuffer appIn;
    /** One wrap's output, sent before the next wrap; fill mode, empty between wraps. */
    private ByteBuffer netOut;
    private Waiter<Void> inboundProgress;
    /** A greenlet is on its way to send what an unwrap left the engine wanting to send. */
    private boolean answerScheduled;
    /** Why sending a handshake answer from a reader failed; the next write throws it. */
    private IOException outboundFailure;
    private boolean handshakeDone;
    private boolean inboundEnded;
    private boolean closed;
    private InputStream inputStream;
    private OutputStream outputStream;

    private TlsSocket(TcpSocket socket, SSLEngine engine) {
        this.socket = socket;
        this.engine = engine;
        SSLSession session = engine.getSession();
        netIn = ByteBuffer.allocate(session.getPacketBufferSize());
        netOut = ByteBuffer.allocate(session.getPacketBufferSize());
        appIn = ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
    }

    /**
     * Connects to {@code host}:{@code port} and does the client handshake, parking until both are done:
     * SNI names {@code host}, and the server's certificate must match it (the HTTPS rules of RFC 2818).
     *
     * @param host a host name or address literal
     * @param port the TCP port
     * @param context the TLS configuration: keys, certificates, trust
     * @return the connected socket, handshake done
     * @throws IOException if the operation fails; the message says what failed
     */
    public static TlsSocket connect(String host, int port, SSLContext context) throws IOException {
        Objects.requireNonNull(context, "context");
        TcpSocket tcp = TcpSocket.connect(host, port);
        boolean done = false;
        try {
            TlsSocket tls = client(tcp, context, host);
            tls.handshake();
            done = true;
            return tls;
        } finally {
            if (!done) {
                tcp.close();
            }
        }
    }

    /**
     * The client side of TLS over a connected socket (STARTTLS), with SNI and hostname verification for
     * {@code peerHost}; the handshake happens on the first {@link #handshake()}, read or write.
     *
     * @param socket the socket
     * @param context the TLS configuration: keys, certificates, trust
     * @param peerHost the server's host name, for SNI and hostname verification
     * @return the client side of TLS over a connected socket
     * @throws IOException if the operation fails; the message says what failed
     */
    public static TlsSocket client(TcpSocket socket, SSLContext context, String peerHost) throws IOException {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(peerHost, "peerHost");
        InetSocketAddress remote = socket.remoteAddress();
        SSLEngine engine = context.createSSLEngine(peerHost, remote == null ? -1 : remote.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        if (parameters.getEndpointIdentificationAlgorithm() == null) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(parameters);
        return new TlsSocket(socket, engine);
    }

    /**
     * The server side of TLS over an accepted socket, with the context's default parameters; handshake as {@link
     * #client}.
     *
     * @param socket the socket
     * @param context the TLS configuration: keys, certificates, trust
     * @return the server side of TLS over an accepted socket, with the context's default parameters
     * @throws IOException if the operation fails; the message says what failed
     */
    public static TlsSocket server(TcpSocket socket, SSLContext context) throws IOException {
        Objects.requireNonNull(socket, "socket");
        SSLEngine engine = Objects.requireNonNull(context, "context").createSSLEngine();
        engine.setUseClientMode(false);
        return new TlsSocket(socket, engine);
    }

    /**
     * TLS over {@code socket} driven by a ready engine: any provider's (Netty's OpenSSL engine, say), with its
     * mode and parameters (ALPN, client authentication, hostname verification) already set by the caller.
     *
     * @param socket the socket
     * @param engine the configured engine
     * @return the TLS socket; the handshake happens on first use
     */
    public static TlsSocket of(TcpSocket socket, SSLEngine engine) {
        return new TlsSocket(Objects.requireNonNull(socket, "socket"), Objects.requireNonNull(engine, "engine"));
    }

    /**
     * Does the handshake if it has not been done, parking until it is; idempotent. Failures are {@link
     * SSLException}s.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public void handshake() throws IOException {
        handshake(socket.deadline());
    }

    /** {@link #handshake()} with a limit of its own, for servers that bound the handshake apart from reads. */
    void handshake(Duration limit) throws IOException {
        handshake(Deadline.after(limit));
    }

    private void handshake(Deadline deadline) throws IOException {
        if (handshakeDone) {
            return;
        }
        acquire(outbound, deadline, "TlsSocket.handshake");
        try {
            if (handshakeDone) {
                // Another greenlet did it while this one waited; its reader may hold inbound until the peer
                // answers what this greenlet is about to write, so do not wait for inbound now.
                return;
            }
            acquire(inbound, deadline, "TlsSocket.handshake");
            try {
                if (!handshakeDone) {
                    runHandshake(deadline);
                }
            } finally {
                releaseInbound();
            }
        } finally {
            outbound.release();
        }
    }

    private void runHandshake(Deadline deadline) throws IOException {
        try {
            engine.beginHandshake();
            while (!handshakeDone) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> wrapAndSend(EMPTY, deadline, "TlsSocket.handshake");
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (!unwrapOnce(deadline, "TlsSocket.handshake")) {
                            throw new SSLHandshakeException("Remote host terminated the handshake");
                        }
                    }
                    case NEED_TASK -> runDelegatedTasks();
                    case FINISHED, NOT_HANDSHAKING -> handshakeDone = true;
                }
            }
        } catch (SSLException e) {
            sendAlertAfter(e);
            throw e;
        }
    }

    /** After a failed handshake the engine holds an alert saying why; the peer deserves it before the socket closes. */
    private void sendAlertAfter(SSLException failure) {
        try {
            Deadline deadline = Deadline.after(CLOSE_NOTIFY_WAIT);
            while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                if (wrapAndSend(EMPTY, deadline, "TlsSocket.handshake").bytesProduced() == 0) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private void runDelegatedTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    /**
     * Reads application data into {@code dst}, parking until at least one byte is there (doing the handshake
     * first if needed); returns the count, -1 at the end of the stream (see the class javadoc), 0 when
     * {@code dst} is full.
     *
     * @param dst where the bytes go, from its position up to its limit
     * @return the bytes read, -1 at the end of the stream, 0 when {@code dst} is full
     * @throws IOException if the operation fails; the message says what failed
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (!dst.hasRemaining()) {
            return 0;
        }
        Deadline deadline = socket.deadline();
        handshake(deadline);
        acquire(inbound, deadline, "TlsSocket.read");
        try {
            while (!appIn.hasRemaining()) {
                if (inboundEnded || !unwrapOnce(deadline, "TlsSocket.read")) {
                    if (!appIn.hasRemaining()) {
                        return -1;
                    }
                }
            }
            int n = Math.min(appIn.remaining(), dst.remaining());
            dst.put(dst.position(), appIn, appIn.position(), n);
            dst.position(dst.position() + n);
            appIn.position(appIn.position() + n);
            return n;
        } finally {
            releaseInbound();
        }
    }

    /**
     * Parks until a read would find something (application bytes, the end of the stream, or a failure) without
     * reading it, so that a caller can wait for a peer's next message before it takes a buffer to read it into;
     * does the handshake first if needed. Returns at once when this socket holds bytes already: decrypted ones
     * not read yet, or received ones not decrypted yet. Like {@link TcpSocket#waitReadable()} it may return when a
     * read would still wait (what came was part of a record, or only TLS's own messages, such as a session
     * ticket): a read then parks as usual. The timeout ({@link #setTimeout}) bounds it: {@link SocketTimeoutException}.
     *
     * @throws IOException if the socket is closed (before or during the wait), the handshake failed, or the wait timed out
     */
    public void waitReadable() throws IOException {
        Deadline deadline = socket.deadline();
        handshake(deadline);
        acquire(inbound, deadline, "TlsSocket.waitReadable");
        try {
            if (!appIn.hasRemaining() && netIn.position() == 0 && !inboundEnded) {
                socket.waitReadable(deadline, "TlsSocket.waitReadable");
            }
        } finally {
            releaseInbound();
        }
    }

    /** Frees the inbound side; a writer waiting for the peer's handshake messages may now read them itself. */
    private void releaseInbound() {
        inbound.release();
        wakeInboundWaiter();
    }

    private void wakeInboundWaiter() {
        if (inboundProgress != null) {
            inboundProgress.wake(null);
            inboundProgress = null;
        }
    }

    /**
     * Reads up to {@code len} bytes into {@code b} at {@code off}, parking as {@link #read(ByteBuffer)}; -1 at the
     * end.
     *
     * @param b the bytes
     * @param off where in {@code b} the bytes start
     * @param len how many bytes at most
     * @return the bytes read, or -1 at the end
     * @throws IOException if the operation fails; the message says what failed
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Encrypts and sends all of {@code src}, parking whenever the send buffer is full (doing the handshake first
     * if needed). A write that times out or fails leaves part of a record sent: close the socket then.
     *
     * @param src the bytes to write, from its position to its limit
     * @throws IOException if the operation fails; the message says what failed
     */
    public void write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        Deadline deadline = socket.deadline();
        handshake(deadline);
        acquire(outbound, deadline, "TlsSocket.write");
        try {
            if (outboundFailure != null) {
                throw new SocketException("TLS output failed earlier, answering the peer's handshake message while"
                        + " reading: " + outboundFailure.getMessage(), outboundFailure);
            }
            while (src.hasRemaining()) {
                SSLEngineResult result = wrapAndSend(src, deadline, "TlsSocket.write");
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
                        && result.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                    awaitPeerHandshake(deadline);
                }
            }
            sendPendingHandshake(deadline, "TlsSocket.write");
        } finally {
            outbound.release();
        }
    }

    /**
     * Encrypts and sends {@code len} bytes of {@code b} from {@code off}, parking as {@link #write(ByteBuffer)}.
     *
     * @param b the bytes
     * @param off where in {@code b} the bytes start
     * @param len how many bytes at most
     * @throws IOException if the operation fails; the message says what failed
     */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        write(ByteBuffer.wrap(b, off, len));
    }

    /**
     * One unwrap into {@link #appIn}, reading from the network first while the record is incomplete; false at
     * the end of the stream. The caller holds {@code inbound}.
     */
    private boolean unwrapOnce(Deadline deadline, String operation) throws IOException {
        while (true) {
            SSLEngineResult result;
            netIn.flip();
            appIn.compact();
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
                appIn.flip();
            }
            switch (result.getStatus()) {
                case OK -> {
                    afterUnwrap(result.getHandshakeStatus());
                    return true;
                }
                case CLOSED -> {
                    inboundEnded = true;
                    return false;
                }
                case BUFFER_OVERFLOW -> {
                    if (appIn.hasRemaining()) {
                        return true;  // deliver what is there first; then the record fits
                    }
                    appIn = ByteBuffer.allocate(grownSize(appIn, engine.getSession().getApplicationBufferSize())).flip();
                }
                case BUFFER_UNDERFLOW -> {
                    int packetSize = engine.getSession().getPacketBufferSize();
                    if (netIn.capacity() < packetSize) {
                        netIn = ByteBuffer.allocate(packetSize).put(netIn.flip());
                    }
                    if (socket.read(netIn, deadline, operation) < 0) {
                        return endOfStream();
                    }
                }
            }
        }
    }

    private void afterUnwrap(HandshakeStatus status) {
        if (status == HandshakeStatus.NEED_TASK) {
            runDelegatedTasks();
        }
        wakeInboundWaiter();
        if (handshakeDone && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !answerScheduled) {
            // Never answered from here: this reader holds inbound, and parking it on a full send buffer would
            // stop this side reading while the peer may be doing the same (class javadoc).
            answerScheduled = true;
            Green.spawn(this::sendHandshakeAnswer);
        }
    }

    /**
     * Sends what an unwrap left the engine wanting to send, in a greenlet of its own that waits for
     * {@code outbound}; a writer that got there first has sent it already. A failure belongs to the next write.
     * Its deadline starts now, not with the read that unwrapped the message: that read may have waited most of
     * its time for data, while the writer ahead of this greenlet has a later deadline of its own.
     */
    private void sendHandshakeAnswer() {
        Deadline deadline = socket.deadline();
        try {
            acquire(outbound, deadline, "TlsSocket (answering the peer's handshake message)");
        } catch (SocketTimeoutException e) {
            answerScheduled = false;
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                outboundFailure = e;  // still unsent: no writer got to it either
            }
            return;
        }
        try {
            answerScheduled = false;
            sendPendingHandshake(deadline, "TlsSocket.read");
        } catch (IOException e) {
            outboundFailure = e;
        } finally {
            outbound.release();
        }
    }

    /** A FIN: the end of the stream after the handshake, as the JDK's SSLSocket reads it; an error before it. */
    private boolean endOfStream() throws SSLException {
        if (!handshakeDone) {
            throw new SSLHandshakeException("Remote host terminated the handshake");
        }
        if (REQUIRE_CLOSE_NOTIFY) {
            throw new SSLProtocolException("Remote host terminated the connection");
        }
        inboundEnded = true;
        return false;
    }

    /** Sends what the engine wants to send on its own (post-handshake messages); the caller holds {@code outbound}. */
    private void sendPendingHandshake(Deadline deadline, String operation) throws IOException {
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !engine.isOutboundDone()) {
            if (wrapAndSend(EMPTY, deadline, operation).bytesProduced() == 0) {
                return;
            }
        }
    }

    /** One wrap of {@code src} and the sending of its record; the caller holds {@code outbound}. */
    private SSLEngineResult wrapAndSend(ByteBuffer src, Deadline deadline, String operation) throws IOException {
        while (true) {
            SSLEngineResult result = engine.wrap(src, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(grownSize(netOut, engine.getSession().getPacketBufferSize()));
                continue;
            }
            netOut.flip();
            try {
                socket.write(netOut, deadline, operation);
            } finally {
                netOut.clear();
            }
            if (result.getStatus() == SSLEngineResult.Status.CLOSED && src != EMPTY) {
                throw new SocketException("TLS output is closed (close() was called, or the handshake failed)");
            }
            if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runDelegatedTasks();
            }
            return result;
        }
    }

    /** A writer blocked on the peer's handshake messages: unwrap them here, or let the reader do it and wait. */
    private void awaitPeerHandshake(Deadline deadline) throws IOException {
        if (inbound.tryAcquire()) {
            try {
                if (!unwrapOnce(deadline, "TlsSocket.write")) {
                    throw new SSLException("the peer closed the connection during a renegotiation");
                }
            } finally {
                releaseInbound();
            }
            return;
        }
        Waiter<Void> progress = new Waiter<>("TlsSocket.write waiting for the reader to unwrap the peer's handshake");
        inboundProgress = progress;
        if (!progress.await(deadline.remaining())) {
            throw new SocketTimeoutException("TlsSocket.write timed out waiting for the peer's handshake messages");
        }
    }

    /** The capacity for an empty buffer the engine overflowed: the session's size now, at least double the old one. */
    private static int grownSize(ByteBuffer buffer, int sessionSize) {
        return Math.max(sessionSize, 2 * buffer.capacity());
    }

    private static void acquire(Semaphore lock, Deadline deadline, String operation) throws SocketTimeoutException {
        if (!lock.acquire(deadline.remaining())) {
            throw new SocketTimeoutException(operation + " timed out waiting for another greenlet using this socket");
        }
    }

    /**
     * This socket as an {@link InputStream} whose reads park like {@link #read}; closing it closes the socket.
     *
     * @return this socket as an {@link InputStream} whose reads park like {@link #read}
     */
    public InputStream inputStream() {
        if (inputStream == null) {
            inputStream = StreamViews.input(this::read, this::close);
        }
        return inputStream;
    }

    /**
     * This socket as an {@link OutputStream} whose writes park like {@link #write}; closing it closes the socket.
     *
     * @return this socket as an {@link OutputStream} whose writes park like {@link #write}
     */
    public OutputStream outputStream() {
        if (outputStream == null) {
            outputStream = StreamViews.output(this::write, this::close);
        }
        return outputStream;
    }

    /**
     * Limits each later read, write and handshake as a whole ({@code null}: no limit); one that takes longer
     * throws {@link SocketTimeoutException}. It is the timeout of the {@link #tcpSocket()} underneath, which this
     * sets: one setting for both. After a timed-out write, close the socket (class javadoc).
     *
     * @param timeout how long each operation may wait; {@code null}: no limit; negative: refused
     */
    public void setTimeout(Duration timeout) {
        socket.setTimeout(timeout);
    }

    /**
     * The TLS session: the negotiated one after the handshake, the engine's placeholder before it.
     *
     * @return the TLS session
     */
    public SSLSession session() {
        return engine.getSession();
    }

    /**
     * The protocol ALPN negotiated, or {@code ""} when none was (or before the handshake).
     *
     * @return the protocol ALPN negotiated, or {@code ""} when none was (or before the handshake)
     */
    public String applicationProtocol() {
        String protocol = engine.getApplicationProtocol();
        return protocol == null ? "" : protocol;
    }

    /**
     * The TCP connection underneath, for its addresses and options; reading or writing it directly breaks TLS.
     *
     * @return the TCP connection underneath, for its addresses and options
     */
    public TcpSocket tcpSocket() {
        return socket;
    }

    /**
     * Sends close_notify (parking up to the timeout, or {@link #CLOSE_NOTIFY_WAIT}, while the send buffer is
     * full), then closes the socket. A greenlet parked in read or write wakes with {@link SocketException}; when
     * one is in the middle of writing a record, close_notify is not sent (it would land inside that record).
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (handshakeDone && outbound.tryAcquire()) {
                try {
                    engine.closeOutbound();
                    Duration timeout = socket.timeout();
                    sendPendingHandshake(Deadline.after(timeout != null ? timeout : CLOSE_NOTIFY_WAIT), "TlsSocket.close");
                } finally {
                    outbound.release();
                }
            }
        } catch (IOException e) {
            // The peer is gone or not reading: it cannot get close_notify, and it reads the FIN as the end anyway.
        } finally {
            socket.close();
        }
    }

    /** Whether the peer's close_notify arrived (false after a bare FIN): what tests check of close(). */
    boolean peerSentCloseNotify() {
        return engine.isInboundDone();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return whether {@link #close()} was called
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "TlsSocket[" + socket + (handshakeDone ? ", " + engine.getSession().getProtocol() : ", not handshaken") + "]";
    }
}
