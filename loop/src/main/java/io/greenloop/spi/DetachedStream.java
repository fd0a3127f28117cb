package io.greenloop.spi;

/**
 * A connected TCP socket taken out of one loop's transport by {@link StreamHandle#detach()}, on its way to
 * another loop of the same transport, which adopts it with {@link Transport#adoptStream(DetachedStream)}.
 * While detached no poller watches it; it must be adopted or closed. Thread-safe: it is only handed over.
 */
public interface DetachedStream {

    /**
     * The name of the transport it came from; only a transport of that name can adopt it.
     *
     * @return the name of the transport it came from; only a transport of that name can adopt it
     */
    String transport();

    /** Closes the socket when it will never be adopted (the target loop closed first). Idempotent. */
    void close();
}
