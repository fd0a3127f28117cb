package io.greenloop.spi;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A non-blocking TCP listening socket. {@link IoHandle#READ} readiness means a connection can be accepted. */
public interface ListenerHandle extends IoHandle {

    /** Binds and listens; {@code reusePort} sets {@code SO_REUSEPORT} first, so several loops can share a port. */
    void bind(InetSocketAddress address, int backlog, boolean reusePort) throws IOException;

    /** Accepts one pending connection as a handle of the same transport, or returns {@code null} when none is pending. */
    StreamHandle accept() throws IOException;

    /** The bound address (with the real port when port 0 was asked), or {@code null} when unbound. */
    InetSocketAddress localAddress() throws IOException;
}
