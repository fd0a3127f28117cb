package io.greenloop.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;

/**
 * The raw connection after a 101: the bytes that arrived behind the request come first (copied out of the
 * connection's pooled buffer, which goes back to the pool when the handler returns), then the socket's; writes
 * go straight to the socket (the 101 was sent before this was made). Closing either stream closes the connection.
 */
final class Upgraded implements HttpUpgrade {

    private final Wire wire;
    private final InputStream input;

    Upgraded(Wire wire, Inbound in) {
        this.wire = wire;
        byte[] early = Arrays.copyOfRange(in.buf, in.start, in.end);
        in.start = in.end;
        this.input = early.length == 0 ? wire.inputStream()
                : new SequenceInputStream(new ByteArrayInputStream(early), wire.inputStream());
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return wire.outputStream();
    }

    @Override
    public void close() {
        wire.close();
    }
}
