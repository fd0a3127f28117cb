package io.greenloop.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.util.Objects;

/**
 * A request's body as {@link HttpRequest#body()} returns it: Content-Length bytes or the decoded chunks. Bytes
 * that came with the head are served from the connection's buffer; once that is empty a large read goes from
 * the socket straight into the caller's array. The first read that must wait for the socket sends
 * {@code 100 Continue} when the client asked for it. A body that ends early (the peer closed) is a
 * {@link SocketException}; a malformed or oversized chunked body an {@link IOException} whose answer (400, 413)
 * the server sends if the handler lets it through. Thread rule: the handler's greenlet.
 */
final class RequestBody extends InputStream {

    private final HttpConnection connection;
    private final Inbound in;
    private final ChunkedDecoder chunks;
    /** Content-Length bytes not read yet (a chunked body keeps its count in {@link #chunks}). */
    private long remaining;
    private long read;
    private boolean closed;
    private byte[] single;

    RequestBody(HttpConnection connection, Inbound in, HttpServer.Options limits) {
        this.connection = connection;
        this.in = in;
        RequestHead head = in.head;
        if (head.chunked) {
            chunks = new ChunkedDecoder(limits.maxBodyBytes(), limits.maxHeadBytes(), head.end - head.start);
        } else {
            chunks = null;
            remaining = Math.max(head.contentLength, 0);
        }
    }

    @Override
    public int read() throws IOException {
        if (single == null) {
            single = new byte[1];
        }
        return read(single, 0, 1) < 0 ? -1 : single[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        connection.checkLive();
        if (closed) {
            throw new IOException("the request body stream was closed");
        }
        if (len == 0) {
            return 0;
        }
        return chunks != null ? readChunked(b, off, len) : readFixed(b, off, len);
    }

    private int readFixed(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int wanted = (int) Math.min(len, remaining);
        int n;
        if (in.buffered() > 0) {
            n = Math.min(wanted, in.buffered());
            if (b != null) {
                System.arraycopy(in.buf, in.start, b, off, n);
            }
            in.start += n;
        } else {
            n = b != null ? connection.readBodyInto(b, off, wanted) : Math.min(wanted, connection.fillBody());
            if (n < 0) {
                throw endedEarly();
            }
            if (b == null) {
                in.start += n;
            }
        }
        remaining -= n;
        read += n;
        return n;
    }

    private int readChunked(byte[] b, int off, int len) throws IOException {
        while (true) {
            int found = chunks.advance(in);
            if (found == ChunkedDecoder.END) {
                return -1;
            }
            if (found == ChunkedDecoder.DATA) {
                int n;
                if (in.buffered() > 0 || b == null) {
                    if (in.buffered() == 0 && connection.fillBody() < 0) {
                        throw endedEarly();
                    }
                    n = chunks.take(in, b, off, len);
                } else {
                    n = connection.readBodyInto(b, off, (int) Math.min(len, chunks.remaining()));
                    if (n < 0) {
                        throw endedEarly();
                    }
                    chunks.tookDirectly(n);
                }
                read += n;
                return n;
            }
            if (connection.fillBody() < 0) {
                throw endedEarly();
            }
        }
    }

    private SocketException endedEarly() {
        connection.wireFailed();
        return new SocketException("the client closed the connection after " + read + " bytes of the request body");
    }

    /** Bytes that can be read without waiting. */
    @Override
    public int available() {
        if (closed || connection.ended()) {
            return 0;
        }
        if (chunks == null) {
            return (int) Math.min(remaining, in.buffered());
        }
        return (int) Math.min(chunks.remaining(), in.buffered());
    }

    /** Stops reading; what is left of the body is read and dropped by the server after the handler, or the connection closes. */
    @Override
    public void close() {
        closed = true;
    }

    /** Whether the whole body has been read (an absent body is). */
    boolean done() throws HttpRejection {
        return chunks != null ? chunks.advance(in) == ChunkedDecoder.END : remaining == 0;
    }

    /** Bytes of a Content-Length body not in the buffer yet; 0 for a chunked one, whose length is unknown. */
    long unbuffered() {
        return chunks != null ? 0 : Math.max(0, remaining - in.buffered());
    }

    /**
     * Checks the first chunk-size line before the handler runs, reading until it is here: a request smuggling
     * a malformed chunked body is refused without reaching a handler.
     */
    void checkFirstChunk() throws IOException {
        while (chunks.advance(in) == ChunkedDecoder.NEED_MORE) {
            if (connection.fillBody() < 0) {
                throw endedEarly();
            }
        }
    }

    /**
     * After the handler: reads and drops what is left of the body, at most {@code limit} bytes more, so that the
     * connection can carry the next request; false when it cannot (too much left, or the peer is still waiting for
     * a 100 Continue that was never sent and will send nothing).
     */
    boolean skipRest(long limit) throws IOException {
        if (done()) {
            return true;
        }
        if (connection.awaitingContinue() || unbuffered() > limit) {
            return false;
        }
        closed = false;
        long skipped = 0;
        while (skipped <= limit) {
            int n = chunks != null ? readChunked(null, 0, Inbound.SIZE) : readFixed(null, 0, Inbound.SIZE);
            if (n < 0) {
                return true;
            }
            skipped += n;
        }
        return false;
    }
}
