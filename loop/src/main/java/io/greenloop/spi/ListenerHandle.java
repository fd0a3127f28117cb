package io.greenloop.spi;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A non-blocking TCP listening socket. {@link IoHandle#READ} readiness means a connection can be accepted. */
public interface ListenerHandle extends IoHandle {

    /**
     * Binds and listens; {@code reusePort} sets {@code SO_REUSEPORT} first, so several loops can share a port.
     *
     * @param address where to listen (port 0: any free port)
     * @param backlog the listen backlog (connections the kernel queues before they are accepted)
     * @param reusePort whether to set {@code SO_REUSEPORT}
     * @throws IOException if the operation fails; the message says what failed
     */
    void bind(InetSocketAddress address, int backlog, boolean reusePort) throws IOException;

    /**
     * Accepts one pending connection as a handle of the same transport, or returns {@code null} when none is pending.
     *
     * @return the connection's handle, or {@code null} when none is pending
     * @throws IOException if the operation fails; the message says what failed
     */
    StreamHandle accept() throws IOException;

    /**
     * The bound address (with the real port when port 0 was asked), or {@code null} when unbound.
     *
     * @return the bound address (with the real port when port 0 was asked), or {@code null} when unbound
     * @throws IOException if the operation fails; the message says what failed
     */
    InetSocketAddress localAddress() throws IOException;
}
