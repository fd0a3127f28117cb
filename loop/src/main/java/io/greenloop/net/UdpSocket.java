package io.greenloop.net;

import io.greenloop.internal.Deadline;
import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Loop;
import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.IoHandle;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A UDP socket on its loop's transport: {@link #receive} parks the calling greenlet until a datagram
 * arrives, {@link #send} parks only while the send buffer is full.
 *
 * <p>Thread rule: every method on the loop that made it (its owner thread or its greenlets); from any
 * other thread they throw {@link IllegalStateException} naming the owner. One greenlet receives at a
 * time and one sends at a time.
 */
public final class UdpSocket implements AutoCloseable {

    private final SocketCore<DatagramHandle> core;
    private final InetSocketAddress localAddress;

    private UdpSocket(SocketCore<DatagramHandle> core, InetSocketAddress localAddress) {
        this.core = core;
        this.localAddress = localAddress;
    }

    /**
     * Binds a UDP socket to {@code address} (port 0: any free port) on the calling thread's loop.
     *
     * @param address where to listen (port 0: any free port)
     * @return the bound socket
     * @throws IOException if the operation fails; the message says what failed
     */
    public static UdpSocket bind(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        InetSocketAddress target = resolved(address);
        Loop loop = Loop.current();
        DatagramHandle handle = LowLevel.transportOf(loop).openDatagram(TcpSocket.familyOf(target.getAddress()));
        try {
            handle.bind(target);
            return new UdpSocket(new SocketCore<>(loop, handle, "UdpSocket"), handle.localAddress());
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    private static InetSocketAddress resolved(InetSocketAddress address) throws IOException {
        return address.isUnresolved()
                ? new InetSocketAddress(TcpSocket.resolve(address.getHostString()), address.getPort()) : address;
    }

    /**
     * Sends the rest of {@code src} as one datagram to {@code target}, parking while the send buffer is full.
     *
     * @param src the bytes to write, from its position to its limit
     * @param target where the datagram goes
     * @throws IOException if the operation fails; the message says what failed
     */
    public void send(ByteBuffer src, InetSocketAddress target) throws IOException {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(target, "target");
        DatagramHandle handle = core.checkedHandle(IoHandle.WRITE, "UdpSocket.send");
        InetSocketAddress to = resolved(target);
        if (localAddress.getAddress() instanceof Inet4Address && to.getAddress() instanceof Inet6Address) {
            // NIO would throw an unchecked UnsupportedAddressTypeException, epoll an errno: the same IOException for both.
            throw new SocketException("UdpSocket.send: this socket is bound to the IPv4 address " + localAddress
                    + " and cannot reach the IPv6 address " + to + "; bind to an IPv6 address (e.g. [::]:0) to reach both");
        }
        if (handle.send(src, to)) {
            return;
        }
        Deadline deadline = core.deadline();
        do {
            core.await(IoHandle.WRITE, deadline, "UdpSocket.send");
        } while (!handle.send(src, to));
    }

    /**
     * Receives one datagram into {@code dst} (what does not fit is dropped, as with UDP everywhere),
     * parking until one arrives; returns its sender.
     *
     * @param dst where the bytes go, from its position up to its limit
     * @return the sender
     * @throws IOException if the operation fails; the message says what failed
     */
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        DatagramHandle handle = core.checkedHandle(IoHandle.READ, "UdpSocket.receive");
        InetSocketAddress sender = handle.receive(dst);
        if (sender != null) {
            return sender;
        }
        Deadline deadline = core.deadline();
        do {
            core.await(IoHandle.READ, deadline, "UdpSocket.receive");
            sender = handle.receive(dst);
        } while (sender == null);
        return sender;
    }

    /**
     * Limits each later send and receive ({@code null}: no limit); expiry throws {@link SocketTimeoutException}.
     *
     * @param timeout how long each operation may wait; {@code null}: no limit
     */
    public void setTimeout(Duration timeout) {
        core.timeout(timeout);
    }

    /**
     * The bound address, with the real port when port 0 was asked.
     *
     * @return the bound address, with the real port when port 0 was asked
     */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return whether {@link #close()} was called
     */
    public boolean isClosed() {
        return core.isClosed();
    }

    /** Closes it; a greenlet parked in send or receive wakes with {@code SocketException("socket closed")}. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "UdpSocket[" + localAddress + (core.isClosed() ? ", closed]" : "]");
    }
}
