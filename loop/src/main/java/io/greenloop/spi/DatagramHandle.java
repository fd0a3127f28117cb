package io.greenloop.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A non-blocking UDP socket. A failed send or receive is a {@link java.net.SocketException} on every transport
 * (the {@code java.net} convention), an operation on a closed handle a {@link java.nio.channels.ClosedChannelException}.
 */
public interface DatagramHandle extends IoHandle {

    /** Binds to a local address (port 0 = any). */
    void bind(InetSocketAddress address) throws IOException;

    /** Sends one datagram; {@code false} when the send buffer is full and nothing was sent. */
    boolean send(ByteBuffer src, InetSocketAddress target) throws IOException;

    /** Receives one datagram into {@code dst}; returns its sender, or {@code null} when none is waiting. */
    InetSocketAddress receive(ByteBuffer dst) throws IOException;

    /** The bound address, or {@code null} when unbound. */
    InetSocketAddress localAddress() throws IOException;
}
