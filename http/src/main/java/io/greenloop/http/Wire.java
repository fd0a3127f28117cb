package io.greenloop.http;

import io.greenloop.net.TcpSocket;
import io.greenloop.net.TlsSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A connection's socket, plain or TLS, both ways: the reads the connection makes, and what it has to send and
 * the sending of it. Bytes to send collect in an {@link Outbound} borrowed from the loop's pool and leave in one
 * write when the connection is about to wait for its peer (or the buffer is full, or a handler flushes); a large
 * body leaves straight from the handler's array in the same gathering write as what was pending before it.
 * Chunked framing is done here too: small writes fill one chunk in the buffer, whose size is written in front of
 * it (four hex digits, leading zeros allowed by RFC 9112 section 7.1) when it is closed, which happens before
 * anything is sent.
 *
 * <p>One object per connection for both directions, rather than a socket wrapper and an output beside it: every
 * idle keep-alive connection keeps its objects on the heap, so each one counts.
 *
 * <p>Thread rule: the connection's greenlet (and, to end it, the loop's thread).
 */
final class Wire {

    /** Bodies up to this size are copied behind their head; larger ones are written from the caller's array. */
    static final int COPY_LIMIT = 2048;
    /** Four hex digits: the largest chunk filled in place. */
    private static final int MAX_PLACED_CHUNK = 0xFFFF;
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private final TcpSocket tcp;
    private final TlsSocket tls;
    /** The connection it serves, told of each wait ({@link HttpConnection#ioStarted}) and failure; set once, by it. */
    private HttpConnection connection;
    private Outbound out;
    /** Where the open chunk's size goes, or -1; and how many data bytes it has. */
    private int openChunkAt = -1;
    private int openChunkSize;

    private Wire(TcpSocket tcp, TlsSocket tls) {
        this.tcp = tcp;
        this.tls = tls;
    }

    static Wire plain(TcpSocket socket) {
        return new Wire(socket, null);
    }

    static Wire tls(TlsSocket socket) {
        return new Wire(socket.tcpSocket(), socket);
    }

    /** Called once, by the connection this wire serves, from its constructor. */
    void servedBy(HttpConnection served) {
        this.connection = served;
    }

    boolean isTls() {
        return tls != null;
    }

    TcpSocket tcp() {
        return tcp;
    }

    int read(ByteBuffer dst) throws SocketException {
        try {
            return tls != null ? tls.read(dst) : tcp.read(dst);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Parks until a read may find something, reading nothing ({@link TcpSocket#waitReadable()}); TLS: at once when it holds bytes. */
    void waitReadable() throws SocketException {
        try {
            if (tls != null) {
                tls.waitReadable();
            } else {
                tcp.waitReadable();
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** The buffer, with room for {@code bytes} more: pending bytes are sent first when they would not fit. */
    Outbound reserve(int bytes) throws IOException {
        if (out == null) {
            out = connection.server.resources.borrowOutbound();
        }
        if (out.room() < bytes) {
            flush();
            if (out.room() < bytes) {
                out.grow(bytes);
            }
        }
        return out;
    }

    /** Sends what is pending, parking until it is all written. */
    void flush() throws IOException {
        closeChunk();
        if (out == null || out.pos == 0) {
            return;
        }
        ByteBuffer pending = out.pending();
        out.pos = 0;
        send(pending, null);
    }

    /** Queues {@code b[off, off + len)} behind what is pending: copied when small, else sent at once with it. */
    void write(byte[] b, int off, int len) throws IOException {
        if (len <= COPY_LIMIT) {
            reserve(len).put(b, off, len);
            return;
        }
        closeChunk();
        ByteBuffer extra = ByteBuffer.wrap(b, off, len);
        if (out == null || out.pos == 0) {
            send(extra, null);
            return;
        }
        ByteBuffer pending = out.pending();
        out.pos = 0;
        send(pending, extra);
    }

    /** Queues {@code b[off, off + len)} as chunked data: into the open chunk when it fits, else as chunks of its own. */
    void writeChunk(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        if (openChunkAt >= 0 && out.room() >= len + 2 && openChunkSize + len <= MAX_PLACED_CHUNK) {
            out.put(b, off, len);
            openChunkSize += len;
            return;
        }
        closeChunk();
        if (len > COPY_LIMIT) {
            Outbound o = reserve(18);
            o.putHex(len);
            o.putCrlf();
            write(b, off, len);
            reserve(2).putCrlf();
            return;
        }
        Outbound o = reserve(6 + len + 2);
        openChunkAt = o.pos;
        o.pos += 4;
        o.putCrlf();
        o.put(b, off, len);
        openChunkSize = len;
    }

    /** The last chunk and an empty trailer section: the end of a chunked body. */
    void lastChunk() throws IOException {
        closeChunk();
        reserve(LAST_CHUNK.length).put(LAST_CHUNK);
    }

    private void closeChunk() {
        if (openChunkAt < 0) {
            return;
        }
        out.putHex4At(openChunkAt, openChunkSize);
        out.putCrlf();  // writeChunk kept room for it
        openChunkAt = -1;
    }

    /** Gives the buffer back to the pool when nothing is pending: a connection about to go idle owns none. */
    void release() {
        if (out != null && out.pos == 0 && openChunkAt < 0) {
            connection.server.resources.release(out);
            out = null;
        }
    }

    /** Drops what is pending (the connection is ending) and gives the buffer back. */
    void discard() {
        if (out != null) {
            out.pos = 0;
            openChunkAt = -1;
            release();
        }
    }

    /** Writes {@code first}, then {@code second} if not null: one gathering write on a plain socket. */
    private void send(ByteBuffer first, ByteBuffer second) throws IOException {
        connection.ioStarted();
        try {
            if (tls != null) {
                tls.write(first);
                if (second != null) {
                    tls.write(second);
                }
            } else if (second == null) {
                tcp.write(first);
            } else {
                out.pair[0] = first;
                out.pair[1] = second;
                try {
                    tcp.write(out.pair);
                } finally {
                    out.pair[0] = null;
                    out.pair[1] = null;
                }
            }
            connection.server.counters.wrote();
        } catch (IOException e) {
            connection.wireFailed();
            throw failed(e);
        } finally {
            connection.ioEnded();
        }
    }

    /** sendfile(2) where the transport can; plain sockets only (TLS must encrypt every byte). */
    long transferFrom(FileChannel file, long position, long count) throws IOException {
        return tcp.transferFrom(file, position, count);
    }

    /**
     * A failed read or write is the connection's failure, whatever the transport called it (NIO says
     * {@code IOException: Broken pipe}, the native transports {@code SocketException}, TLS {@code SSLException}):
     * handlers see a {@link SocketException} either way.
     */
    private static SocketException failed(IOException e) {
        if (e instanceof SocketException socket) {
            return socket;
        }
        SocketException failure = new SocketException(e.getMessage() != null ? e.getMessage() : e.toString());
        failure.initCause(e);
        return failure;
    }

    /** The socket as a stream (reads park; closing it closes the connection), for an upgraded connection. */
    InputStream inputStream() {
        return tls != null ? tls.inputStream() : tcp.inputStream();
    }

    /** The socket as a stream (writes park; closing it closes the connection), for an upgraded connection. */
    OutputStream outputStream() {
        return tls != null ? tls.outputStream() : tcp.outputStream();
    }

    /** Closes the connection (TLS: with close_notify). */
    void close() {
        if (tls != null) {
            tls.close();
        } else {
            tcp.close();
        }
    }
}
