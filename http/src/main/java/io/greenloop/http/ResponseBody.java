package io.greenloop.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The stream {@link HttpResponse#body()} returns, framed as its head said: chunked, exactly Content-Length
 * bytes, until the connection closes (HTTP/1.0), discarded (the response to HEAD) or refused (204, 304).
 * Bytes collect in the connection's buffer and leave when it fills, on {@link #flush()}, or after the
 * response completes; {@link #close()} completes it. Thread rule: the handler's greenlet.
 */
final class ResponseBody extends OutputStream {

    /** How the body is framed on the wire. */
    enum Framing { CHUNKED, LENGTH, CLOSE_DELIMITED, DISCARD, NONE }

    private final HttpResponse response;
    private final Wire wire;
    private final Framing framing;
    private final long length;
    private long written;
    private boolean closed;
    private byte[] single;

    ResponseBody(HttpResponse response, Wire wire, Framing framing, long length) {
        this.response = response;
        this.wire = wire;
        this.framing = framing;
        this.length = length;
    }

    @Override
    public void write(int b) throws IOException {
        if (single == null) {
            single = new byte[1];
        }
        single[0] = (byte) b;
        write(single, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        response.checkLive();
        if (closed) {
            throw new IOException("the response body was closed; the response is complete");
        }
        switch (framing) {
            case CHUNKED -> wire.writeChunk(b, off, len);
            case LENGTH -> {
                if (len > length - written) {
                    throw new IOException("writing " + len + " bytes would pass the response's Content-Length of "
                            + length + " (" + written + " written)");
                }
                wire.write(b, off, len);
            }
            case CLOSE_DELIMITED -> wire.write(b, off, len);
            case DISCARD -> { }
            case NONE -> {
                if (len > 0) {
                    throw new IllegalStateException("a " + response.statusCode() + " response carries no body");
                }
            }
        }
        written += len;
    }

    /** Sends what is buffered now. */
    @Override
    public void flush() throws IOException {
        response.checkLive();
        if (!closed && framing != Framing.DISCARD && framing != Framing.NONE) {
            wire.flush();
        }
    }

    /**
     * Completes the response: the last chunk, or a check that Content-Length bytes were written (fewer is an
     * {@link IOException}, and the connection closes, since the peer cannot tell where the next response
     * begins). Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        response.bodyClosed();
        if (framing == Framing.CHUNKED) {
            wire.lastChunk();
        } else if (framing == Framing.LENGTH && written < length) {
            response.broken();
            throw new IOException("the response body was closed after " + written + " of its Content-Length of "
                    + length + " bytes; the connection closes");
        }
    }

    boolean closed() {
        return closed;
    }
}
