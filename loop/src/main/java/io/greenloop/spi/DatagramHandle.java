package io.greenloop.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking UDP socket. A failed send or receive is a {@link java.net.SocketException} on every transport
 * (the {@code java.net} convention), an operation on a closed handle a {@link java.nio.channels.ClosedChannelException}.
 */
public interface DatagramHandle extends IoHandle {

    /**
     * Binds to a local address (port 0 = any).
     *
     * @param address where to listen (port 0: any free port)
     * @throws IOException if the operation fails; the message says what failed
     */
    void bind(InetSocketAddress address) throws IOException;

    /**
     * Sends one datagram; {@code false} when the send buffer is full and nothing was sent.
     *
     * @param src the bytes to write, from its position to its limit
     * @param target where the datagram goes
     * @return {@code true} when sent, {@code false} when the send buffer is full
     * @throws IOException if the operation fails; the message says what failed
     */
    boolean send(ByteBuffer src, InetSocketAddress target) throws IOException;

    /**
     * Receives one datagram into {@code dst}; returns its sender, or {@code null} when none is waiting.
     *
     * @param dst where the bytes go, from its position up to its limit
     * @return the sender, or {@code null} when no datagram is waiting
     * @throws IOException if the operation fails; the message says what failed
     */
    InetSocketAddress receive(ByteBuffer dst) throws IOException;

    /**
     * The bound address, or {@code null} when unbound.
     *
     * @return the bound address, or {@code null} when unbound
     * @throws IOException if the operation fails; the message says what failed
     */
    InetSocketAddress localAddress() throws IOException;
}
