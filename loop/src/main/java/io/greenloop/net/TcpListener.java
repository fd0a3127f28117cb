package io.greenloop.net;

import io.greenloop.internal.Deadline;
import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Loop;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A listening TCP socket on its loop's transport: {@link #accept()} takes a pending connection at once
 * or parks the calling greenlet until one arrives. With {@code reusePort} several loops, one per thread,
 * can each bind their own listener to the same port and let the kernel spread connections over them.
 *
 * <p>Thread rule: every method on the loop that made it (its owner thread or its greenlets); from any
 * other thread they throw {@link IllegalStateException} naming the owner. One greenlet accepts at a time.
 */
public final class TcpListener implements AutoCloseable {

    /** The backlog {@link StreamServer} asks for: deep enough for a burst of connects (the kernel caps it at somaxconn). */
    public static final int DEFAULT_BACKLOG = 1024;

    private final SocketCore<ListenerHandle> core;
    private final InetSocketAddress localAddress;

    private TcpListener(SocketCore<ListenerHandle> core, InetSocketAddress localAddress) {
        this.core = core;
        this.localAddress = localAddress;
    }

    /**
     * Binds and listens on {@code address} (port 0: any free port) on the calling thread's loop.
     *
     * @param address where to listen (port 0: any free port)
     * @param backlog the listen backlog (connections the kernel queues before they are accepted)
     * @return the listening socket
     * @throws IOException if the operation fails; the message says what failed
     */
    public static TcpListener bind(InetSocketAddress address, int backlog) throws IOException {
        return bind(address, backlog, false);
    }

    /**
     * Binds and listens on {@code address} (port 0: any free port) on the calling thread's loop; with
     * {@code reusePort} it sets {@code SO_REUSEPORT} first, so that listeners of other loops (other
     * threads) can bind the same port and share its connections.
     *
     * @param address where to listen (port 0: any free port)
     * @param backlog the listen backlog (connections the kernel queues before they are accepted)
     * @param reusePort whether to set {@code SO_REUSEPORT}
     * @return the listening socket
     * @throws IOException if the operation fails; the message says what failed
     */
    public static TcpListener bind(InetSocketAddress address, int backlog, boolean reusePort) throws IOException {
        Objects.requireNonNull(address, "address");
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog " + backlog + " is negative; use 0 for the OS default");
        }
        InetSocketAddress target = address.isUnresolved()
                ? new InetSocketAddress(TcpSocket.resolve(address.getHostString()), address.getPort()) : address;
        Loop loop = Loop.current();
        ListenerHandle handle = LowLevel.transportOf(loop).openListener(TcpSocket.familyOf(target.getAddress()));
        try {
            handle.bind(target, backlog, reusePort);
            return new TcpListener(new SocketCore<>(loop, handle, "TcpListener"), handle.localAddress());
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /**
     * Accepts the next connection, parking until one arrives; a {@link #close()} meanwhile throws
     * {@code SocketException("socket closed")}, a timeout set with {@link #setTimeout} {@link SocketTimeoutException}.
     *
     * @return the accepted connection
     * @throws IOException if the operation fails; the message says what failed
     */
    public TcpSocket accept() throws IOException {
        ListenerHandle handle = core.checkedHandle(IoHandle.READ, "TcpListener.accept");
        StreamHandle accepted = handle.accept();
        if (accepted == null) {
            Deadline deadline = core.deadline();
            do {
                core.await(IoHandle.READ, deadline, "TcpListener.accept");
                accepted = handle.accept();
            } while (accepted == null);
        }
        return TcpSocket.connected(core.loop, accepted);
    }

    /** Sets an option on the listening socket ({@link ListenerHandle#setOption}); for {@link StreamServer}. */
    <T> void setOption(SocketOption<T> option, T value) throws IOException {
        core.checkedHandle("TcpListener.setOption").setOption(option, value);
    }

    /** The name of the listener's transport, for messages. */
    String transport() {
        return core.loop.transport();
    }

    /**
     * The next connection already waiting in the kernel's accept queue, or {@code null} when none is: never parks,
     * never yields. What a stopping server drains before it closes the listener (closing it would reset them).
     */
    TcpSocket acceptNow() throws IOException {
        StreamHandle accepted = core.checkedHandle("TcpListener.accept").accept();
        return accepted == null ? null : TcpSocket.connected(core.loop, accepted);
    }

    /**
     * Parks until a connection waits to be accepted (or {@link #close()}: {@code SocketException("socket closed")}),
     * without accepting it: for an acceptor that must not hold a server's handler slot while it waits.
     */
    void awaitConnection() throws IOException {
        core.checkedHandle("TcpListener.accept");
        core.await(IoHandle.READ, Deadline.NONE, "TcpListener.accept");
    }

    /**
     * Limits each later {@link #accept()} ({@code null}: no limit); expiry throws {@link SocketTimeoutException}.
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

    /** Stops listening; a greenlet parked in {@link #accept()} wakes with {@code SocketException("socket closed")}. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "TcpListener[" + localAddress + (core.isClosed() ? ", closed]" : "]");
    }
}
