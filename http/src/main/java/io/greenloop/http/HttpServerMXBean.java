package io.greenloop.http;

/**
 * The JMX view of one {@link HttpServer}, registered as {@code io.greenloop:type=HttpServer,name=<server name>}
 * while it serves (see {@link HttpServer.Stats} for what each attribute counts). Thread rule: any thread; the
 * values are read without waiting for the server's loops.
 */
public interface HttpServerMXBean {

    /**
     * Connections accepted (after their TLS handshake, on a TLS server).
     *
     * @return connections accepted so far
     */
    long getConnectionsAccepted();

    /**
     * Connections open now.
     *
     * @return connections open now
     */
    int getConnectionsOpen();

    /**
     * Requests handed to a handler.
     *
     * @return requests handed to a handler so far
     */
    long getRequests();

    /**
     * Responses with a 4xx status, the server's refusals included.
     *
     * @return 4xx responses so far
     */
    long getResponses4xx();

    /**
     * Responses with a 5xx status, the server's refusals and a failed handler's 500 included.
     *
     * @return 5xx responses so far
     */
    long getResponses5xx();

    /**
     * Requests refused before or while their body was read: malformed, or over a limit.
     *
     * @return requests refused so far
     */
    long getRejected();
}
