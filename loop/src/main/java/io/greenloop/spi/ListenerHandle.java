package io.greenloop.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;

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
     * Sets a socket option on the listening socket; the connections it accepts start with the value where the OS
     * copies it to them (Linux copies {@code SO_BUSY_POLL}). An option the transport lacks throws
     * {@link UnsupportedOperationException} naming it.
     *
     * @param <T>    the option's type
     * @param option the option
     * @param value  its value
     * @throws IOException if the operation fails; the message says what failed
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

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
