package io.greenloop.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The {@link InputStream} and {@link OutputStream} views of {@link TcpSocket} and {@link TlsSocket}: reads and
 * writes park like the socket's own; closing a view closes the socket; flushing has nothing to do (every
 * write is sent at once).
 */
final class StreamViews {

    /** A socket's array read: parks until some bytes arrive; -1 at the end of the stream. */
    @FunctionalInterface
    interface Reader {
        int read(byte[] b, int off, int len) throws IOException;
    }

    /** A socket's array write: parks until all is sent. */
    @FunctionalInterface
    interface Writer {
        void write(byte[] b, int off, int len) throws IOException;
    }

    private StreamViews() {
    }

    static InputStream input(Reader reader, Runnable close) {
        return new InputStream() {
            private byte[] single;

            @Override
            public int read() throws IOException {
                if (single == null) {
                    single = new byte[1];
                }
                return reader.read(single, 0, 1) < 0 ? -1 : single[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                return len == 0 ? 0 : reader.read(b, off, len);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    static OutputStream output(Writer writer, Runnable close) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writer.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writer.write(b, off, len);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
