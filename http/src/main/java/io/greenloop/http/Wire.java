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
 * A connection's socket, plain or TLS, with the few operations the server needs. Thread rule: the
 * connection's greenlet (and, to end it, the loop's thread).
 */
final class Wire {

    private final TcpSocket tcp;
    private final TlsSocket tls;

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

    void write(ByteBuffer src) throws SocketException {
        try {
            if (tls != null) {
                tls.write(src);
            } else {
                tcp.write(src);
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Writes both buffers in order: one gathering write on a plain socket. */
    void write(ByteBuffer[] pair) throws SocketException {
        try {
            if (tls != null) {
                tls.write(pair[0]);
                tls.write(pair[1]);
            } else {
                tcp.write(pair);
            }
        } catch (IOException e) {
            throw failed(e);
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

    /** Closes without TLS's close_notify, which could wait for a peer that does not read. */
    void closeAbruptly() {
        tcp.close();
    }

    boolean isClosed() {
        return tcp.isClosed();
    }
}
