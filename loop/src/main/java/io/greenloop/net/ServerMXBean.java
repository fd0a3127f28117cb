package io.greenloop.net;

/**
 * The JMX view of one server ({@link StreamServer} or {@link GroupServer}), registered as
 * {@code io.greenloop:type=Server,name=<server name>} while it serves and unregistered once it has stopped; the
 * numbers are its {@link ServerStats}. Thread rule: every method on any thread; none waits for a loop.
 */
public interface ServerMXBean {

    /**
     * Connections accepted so far.
     *
     * @return the count
     */
    long getAccepted();

    /**
     * Connections open now.
     *
     * @return the count
     */
    int getOpen();

    /**
     * Connections accepted and closed without a handler so far.
     *
     * @return the count
     */
    long getRefused();

    /**
     * Connections closed by the idle timeout so far.
     *
     * @return the count
     */
    long getIdleClosed();

    /**
     * TLS handshakes that failed so far.
     *
     * @return the count
     */
    long getHandshakesFailed();

    /**
     * Accepts that failed so far.
     *
     * @return the count
     */
    long getAcceptErrors();

    /**
     * Handlers running now.
     *
     * @return the count
     */
    int getActiveHandlers();

    /**
     * The address the server listens on.
     *
     * @return host and port
     */
    String getAddress();

    /**
     * Whether the server is stopping.
     *
     * @return whether a stop has begun
     */
    boolean isStopping();
}
