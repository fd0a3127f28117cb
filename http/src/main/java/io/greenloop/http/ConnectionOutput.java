package io.greenloop.http;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a connection has to send, and sending it: bytes collect in an {@link Outbound} borrowed from the
 * loop's pool and leave in one write when the connection is about to wait for its peer (or the buffer is
 * full, or a handler flushes); a large body leaves straight from the handler's array in the same gathering
 * write as what was pending before it. Chunked framing is done here too: small writes fill one chunk in the
 * buffer, whose size is written in front of it (four hex digits, leading zeros allowed by RFC 9112 section
 * 7.1) when it is closed, which happens before anything is sent. Thread rule: the connection's greenlet only.
 */
final class ConnectionOutput {

    /** Bodies up to this size are copied behind their head; larger ones are written from the caller's array. */
    static final int COPY_LIMIT = 2048;
    /** Four hex digits: the largest chunk filled in place. */
    private static final int MAX_PLACED_CHUNK = 0xFFFF;
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private final HttpConnection connection;
    private final Wire wire;
    private final LoopResources resources;
    private Outbound out;
    /** Where the open chunk's size goes, or -1; and how many data bytes it has. */
    private int openChunkAt = -1;
    private int openChunkSize;

    ConnectionOutput(HttpConnection connection, Wire wire, LoopResources resources) {
        this.connection = connection;
        this.wire = wire;
        this.resources = resources;
    }

    /** The buffer, with room for {@code bytes} more: pending bytes are sent first when they would not fit. */
    Outbound reserve(int bytes) throws IOException {
        if (out == null) {
            out = resources.borrowOutbound();
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
            resources.release(out);
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

    private void send(ByteBuffer first, ByteBuffer second) throws IOException {
        connection.ioStarted();
        try {
            if (second == null) {
                wire.write(first);
            } else {
                out.pair[0] = first;
                out.pair[1] = second;
                wire.write(out.pair);
                out.pair[0] = null;
                out.pair[1] = null;
            }
            connection.server.counters.wrote();
        } catch (IOException e) {
            connection.wireFailed();
            throw e;
        } finally {
            connection.ioEnded();
        }
    }
}
