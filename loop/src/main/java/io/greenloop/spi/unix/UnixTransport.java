package io.greenloop.spi.unix;

import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import io.greenloop.spi.Transport;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * What the transports on Netty's JNI bindings (epoll, kqueue) share: the fd table of open handles, the
 * sockets and their handles, the ready list, the scratch buffer, the locked wake-up and the close. A
 * subclass keeps only its poll (which reports what the kernel said through {@link #ready(int, long, int)}),
 * how a socket joins and leaves its kernel set, and its bridge to Netty's package-private natives.
 *
 * <p>For transport modules only; applications never see it ({@code Loop} hands out a {@link Transport}).
 * Thread rule: every method except {@link #wakeup()} on the loop thread (the owner or one of its
 * greenlets). Heap buffers are copied through one direct buffer per transport, which that rule makes safe;
 * its position and limit never move (see {@code UnixPoller.scratch()}).
 */
public abstract class UnixTransport implements Transport {

    /**
     * The direct buffer that heap buffers are copied through: one syscall moves at most this much, and
     * it holds the largest UDP datagram (65,507 bytes). A copy of 64 KiB costs a few microseconds, about
     * the price of the syscall it feeds.
     */
    private static final int SCRATCH_BYTES = 64 * 1024;
    /** The fd table's first size; it grows to the highest fd in use. */
    private static final int INITIAL_FD_TABLE = 1024;

    private final String name;
    private final Sockets sockets;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    private final UnixPoller poller = new Poller();
    private final ReadyHandles readyHandles = new ReadyHandles();
    private final Object wakeupLock = new Object();
    /** Open handles by fd number. */
    private UnixHandle[] handles = new UnixHandle[INITIAL_FD_TABLE];
    private long nextId = 1;
    private boolean closed;
    private boolean wakeupClosed;

    /**
     * How a transport makes its non-blocking sockets, from Netty's socket class for its OS: TCP and UDP
     * sockets of a family, and a wrapper for an fd that {@code accept} returned. Netty reports failures unchecked.
     *
     * @param stream   a new TCP socket
     * @param datagram a new UDP socket
     * @param adopt    wraps an accepted, already non-blocking fd
     */
    protected record Sockets(Function<SocketProtocolFamily, ? extends Socket> stream,
                             Function<SocketProtocolFamily, ? extends Socket> datagram,
                             IntFunction<? extends Socket> adopt) {
        /** Checks that each part is given. */
        public Sockets {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(datagram, "datagram");
            Objects.requireNonNull(adopt, "adopt");
        }
    }

    /**
     * A transport called {@code name} ({@code "epoll"}, {@code "kqueue"}) making its sockets with {@code sockets}.
     *
     * @param name the name
     * @param sockets makes the native sockets
     */
    protected UnixTransport(String name, Sockets sockets) {
        this.name = Objects.requireNonNull(name, "name");
        this.sockets = Objects.requireNonNull(sockets, "sockets");
    }

    @Override
    public final String name() {
        return name;
    }

    /**
     * Makes the kernel watch the handle's socket for both ops, edge-triggered; called once per handle.
     *
     * @param handle the new handle
     * @throws IOException if the operation fails; the message says what failed
     */
    protected abstract void register(UnixHandle handle) throws IOException;

    /**
     * Removes a registered handle's socket from the kernel set where closing its fd alone would not (another
     * process may hold a duplicate); not called once the transport is closing, since closing the set drops all.
     *
     * @param handle the handle
     */
    protected abstract void unregister(UnixHandle handle);

    /** Makes a blocked poll return; called under the wake-up lock, never after {@link #closeKernelSet()}. */
    protected abstract void wakeupNow();

    /**
     * Closes the kernel set and what the subclass allocated for it; the handles are already closed.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    protected abstract void closeKernelSet() throws IOException;

    /**
     * {@code sendfile(2)} of up to {@code count} bytes of {@code file} from {@code position} to a connected
     * socket: bytes sent, 0 when its send buffer is full (Netty has it only on its package-private sockets).
     *
     * @param socket the socket
     * @param file the file
     * @param position where in the file to start
     * @param count how many
     * @return the bytes sent, 0 when the send buffer is full
     * @throws IOException if the operation fails; the message says what failed
     */
    protected abstract long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException;

    /**
     * Sets {@code SO_BUSY_POLL} on a socket of this transport, in microseconds (Netty has it only on its
     * package-private Linux socket). Only the transport on Linux has the option; this default refuses it.
     *
     * @param socket the socket
     * @param micros how long a blocking read or poll may busy-poll the device queue, 0 or more
     * @throws IOException if the operation fails; the message says what failed
     */
    protected void setBusyPoll(Socket socket, int micros) throws IOException {
        throw new UnsupportedOperationException("the " + name + " transport has no SO_BUSY_POLL: it is Linux's, on the epoll transport");
    }

    /**
     * Reads {@code SO_BUSY_POLL} back, in microseconds; as {@link #setBusyPoll}, Linux's only.
     *
     * @param socket the socket
     * @return the socket's busy-poll time in microseconds
     * @throws IOException if the operation fails; the message says what failed
     */
    protected int busyPoll(Socket socket) throws IOException {
        throw new UnsupportedOperationException("the " + name + " transport has no SO_BUSY_POLL: it is Linux's, on the epoll transport");
    }

    /**
     * A bit a transport adds to the ops it passes to {@link #ready} when the event was an error or a hang-up
     * (the peer closed its end): a short read on that socket no longer means it was drained, since what
     * remains (end of stream, the error) will bring no new edge.
     */
    protected static final int HUNG_UP = 1 << 2;

    /**
     * Records {@code ops} that the kernel reported for the socket on {@code fd}, and lists its handle for the
     * next {@link #dispatch()} when it is interested. An fd with no handle (the transport's own) or whose handle
     * has another {@code id} than {@code id} (a closed socket's stale event; {@code 0} matches any) is ignored.
     *
     * @param fd the file descriptor
     * @param id the handle id registered with the fd
     * @param ops the readiness operations, as {@link io.greenloop.spi.IoHandle} bits
     */
    protected final void ready(int fd, long id, int ops) {
        UnixHandle handle = fd >= 0 && fd < handles.length ? handles[fd] : null;
        if (handle != null && (id == 0 || handle.id() == id) && handle.markReady(ops)) {
            readyHandles.add(handle);
        }
    }

    /**
     * Whether handles wait to be reported at the next dispatch, so that the next poll must not block.
     *
     * @return whether handles wait to be reported at the next dispatch, so that the next poll must not block
     */
    protected final boolean hasPendingReports() {
        return readyHandles.hasPending();
    }

    /**
     * Ends a poll: moves the handles queued for it among the ready ones and returns how many are ready.
     *
     * @return how many handles are ready
     */
    protected final int readyCount() {
        return readyHandles.takePending();
    }

    @Override
    public final void dispatch() {
        readyHandles.dispatch();
    }

    @Override
    public final void wakeup() {
        // The lock keeps a late wake-up from another thread off an fd number that close() released.
        synchronized (wakeupLock) {
            if (!wakeupClosed) {
                wakeupNow();
            }
        }
    }

    @Override
    public final StreamHandle openStream(ProtocolFamily family) throws IOException {
        checkOpen();
        return adopt(new UnixStreamHandle(poller, socket(family, true)));
    }

    @Override
    public final ListenerHandle openListener(ProtocolFamily family) throws IOException {
        checkOpen();
        return adopt(new UnixListenerHandle(poller, socket(family, true)));
    }

    @Override
    public final DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        checkOpen();
        // An unbound UDP socket reports only "writable", so it can be watched at once.
        return registered(adopt(new UnixDatagramHandle(poller, socket(family, false))));
    }

    @Override
    public final StreamHandle adoptStream(DetachedStream detached) throws IOException {
        checkOpen();
        return poller.adoptAccepted(UnixDetachedStream.takeFd(detached, name));
    }

    private static <H extends UnixHandle> H registered(H handle) throws IOException {
        try {
            handle.register();
        } catch (IOException e) {
            handle.close();
            throw e;
        }
        return handle;
    }

    private Socket socket(ProtocolFamily family, boolean stream) throws IOException {
        SocketProtocolFamily netty = socketFamily(family);
        try {
            return stream ? sockets.stream().apply(netty) : sockets.datagram().apply(netty);
        } catch (ChannelException e) {
            // Netty reports socket(2) failures (EMFILE: too many open files) unchecked; the SPI says IOException.
            throw new SocketException("could not open a " + (stream ? "TCP" : "UDP") + " socket: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
    }

    private SocketProtocolFamily socketFamily(ProtocolFamily family) {
        Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.INET) {
            return SocketProtocolFamily.INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return SocketProtocolFamily.INET6;
        }
        throw new UnsupportedOperationException("the " + name + " transport opens INET and INET6 sockets, not " + family);
    }

    private <H extends UnixHandle> H adopt(H handle) {
        int fd = handle.fd();
        if (fd >= handles.length) {
            handles = Arrays.copyOf(handles, Math.max(handles.length * 2, Integer.highestOneBit(fd) * 2));
        }
        handle.id(nextId++);
        handles[fd] = handle;
        return handle;
    }

    /**
     * Throws {@link IOException} once the transport is closed.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    protected final void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("the " + name + " transport is closed");
        }
    }

    /**
     * Whether {@link #close()} has begun.
     *
     * @return whether {@link #close()} has begun
     */
    protected final boolean isClosed() {
        return closed;
    }

    @Override
    public final int openHandles() {
        int open = 0;
        for (UnixHandle handle : handles) {
            if (handle != null) {
                open++;
            }
        }
        return open;
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;  // first, so that closing the handles below skips unregister: closing the set drops them all
        IOException failure = null;
        for (UnixHandle handle : handles) {
            if (handle != null) {
                try {
                    handle.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        readyHandles.clear();
        synchronized (wakeupLock) {
            wakeupClosed = true;
        }
        try {
            closeKernelSet();
        } catch (IOException e) {
            failure = e;
        }
        if (failure != null) {
            throw new UncheckedIOException("closing the " + name + " transport failed", failure);
        }
    }

    /**
     * Closes a descriptor this transport owns, if any, ignoring errors: close(2) releases it even when it reports
     * one.
     *
     * @param fd the file descriptor
     */
    protected static void closeQuietly(FileDescriptor fd) {
        if (fd != null) {
            try {
                fd.close();
            } catch (IOException e) {
                // Released anyway; nothing to undo.
            }
        }
    }

    /** The side of this transport that its handles see. Loop thread only. */
    private final class Poller implements UnixPoller {

        @Override
        public String name() {
            return name;
        }

        @Override
        public ByteBuffer scratch() {
            return scratch;
        }

        @Override
        public void register(UnixHandle handle) throws IOException {
            UnixTransport.this.register(handle);
        }

        @Override
        public void reportSoon(UnixHandle handle) {
            readyHandles.reportSoon(handle);
        }

        @Override
        public void forget(UnixHandle handle, boolean registered) {
            if (registered && !closed) {
                unregister(handle);
            }
            int fd = handle.fd();
            if (fd >= 0 && fd < handles.length && handles[fd] == handle) {
                handles[fd] = null;
            }
        }

        @Override
        public long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException {
            return UnixTransport.this.sendFile(socket, file, position, count);
        }

        @Override
        public void setBusyPoll(Socket socket, int micros) throws IOException {
            UnixTransport.this.setBusyPoll(socket, micros);
        }

        @Override
        public int busyPoll(Socket socket) throws IOException {
            return UnixTransport.this.busyPoll(socket);
        }

        @Override
        public UnixStreamHandle adoptAccepted(int fd) throws IOException {
            return registered(adopt(new UnixStreamHandle(this, sockets.adopt().apply(fd))));  // at once: it is connected
        }
    }
}
