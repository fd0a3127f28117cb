package io.greenloop.http;

import io.greenloop.lowlevel.PlatformBeans;

/**
 * An {@link HttpServer}'s bean in the platform MBean server, {@code io.greenloop:type=HttpServer,name=<name>},
 * registered and unregistered off the caller's thread by the loop's {@link PlatformBeans} (the first registration
 * of a JVM creates the MBean server, which takes hundreds of milliseconds that a loop must not spend).
 * {@code -Dgreenloop.jmx=false} registers none, as for the loops' beans.
 */
final class HttpServerBean implements HttpServerMXBean {

    private final HttpServer server;
    /** Set by {@link #register()}; {@code null} before. */
    private volatile PlatformBeans.Registration registration;

    HttpServerBean(HttpServer server) {
        this.server = server;
    }

    void register() {
        registration = PlatformBeans.register("HttpServer", server.name(), this, server);
    }

    void unregister() {
        PlatformBeans.Registration current = registration;
        if (current != null) {
            current.unregister();
        }
    }

    @Override
    public long getConnectionsAccepted() {
        return server.stats().connectionsAccepted();
    }

    @Override
    public int getConnectionsOpen() {
        return server.stats().connectionsOpen();
    }

    @Override
    public long getRequests() {
        return server.stats().requests();
    }

    @Override
    public long getResponses4xx() {
        return server.stats().responses4xx();
    }

    @Override
    public long getResponses5xx() {
        return server.stats().responses5xx();
    }

    @Override
    public long getRejected() {
        return server.stats().rejected();
    }
}
