package io.greenloop.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The raw connection after a 101: bytes that arrived behind the request come first, then the socket's; writes
 * go to the socket after whatever was pending (the 101 itself). Valid until the handler returns.
 */
final class Upgraded implements HttpUpgrade {

    private final HttpConnection connection;
    private final Wire wire;
    private final Inbound in;
    private final ConnectionOutput output;
    private InputStream input;
    private OutputStream out;

    Upgraded(HttpConnection connection, Wire wire, Inbound in, ConnectionOutput output) {
        this.connection = connection;
        this.wire = wire;
        this.in = in;
        this.output = output;
    }

    @Override
    public InputStream input() {
        connection.checkLive();
        if (input == null) {
            input = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    connection.checkLive();
                    if (len == 0) {
                        return 0;
                    }
                    if (in.buffered() > 0) {
                        int n = Math.min(len, in.buffered());
                        System.arraycopy(in.buf, in.start, b, off, n);
                        in.start += n;
                        return n;
                    }
                    return wire.read(ByteBuffer.wrap(b, off, len));
                }
            };
        }
        return input;
    }

    @Override
    public OutputStream output() {
        connection.checkLive();
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    connection.checkLive();
                    output.flush();
                    wire.write(ByteBuffer.wrap(b, off, len));
                }
            };
        }
        return out;
    }

    @Override
    public void close() {
        wire.close();
    }
}
