package io.greenloop.http;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The raw connection after a {@code 101 Switching Protocols} ({@link HttpResponse#upgrade}): the bytes the
 * client sent after its request (already read ones first) and a way to write to it, for a protocol such as
 * WebSocket built on top. The connection closes when {@link #close()} is called or the handler returns.
 * Thread rule: the handler's greenlet; one reader and one writer at a time, as for a socket.
 */
public interface HttpUpgrade extends AutoCloseable {

    /**
     * What the client sends from now on; reads park until bytes arrive, -1 at the end of the stream.
     *
     * @return the client's bytes, from the first one after its request
     */
    InputStream input();

    /**
     * Writes to the client; each write parks until it is sent.
     *
     * @return a stream to the client
     */
    OutputStream output();

    /** Closes the connection. Idempotent. */
    @Override
    void close();
}
