package io.greenloop.kqueue;

import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.UnixDatagramHandle;
import io.greenloop.spi.unix.ReadyHandles;
import io.greenloop.spi.unix.UnixDetachedStream;
import io.greenloop.spi.unix.UnixHandle;
import io.greenloop.spi.unix.UnixListenerHandle;
import io.greenloop.spi.unix.UnixPoller;
import io.greenloop.spi.unix.UnixStreamHandle;
import io.netty.channel.ChannelException;
import io.netty.channel.kqueue.GreenloopKqueueAccess;
import io.netty.channel.kqueue.KQueue;
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
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

import static io.netty.channel.kqueue.GreenloopKqueueAccess.EVFILT_READ;
import static io.netty.channel.kqueue.GreenloopKqueueAccess.EVFILT_WRITE;
import static io.netty.channel.kqueue.GreenloopKqueueAccess.EV_ADD;
import static io.netty.channel.kqueue.GreenloopKqueueAccess.EV_CLEAR;
import static io.netty.channel.kqueue.GreenloopKqueueAccess.EV_EOF;
import static io.netty.channel.kqueue.GreenloopKqueueAccess.EV_ERROR;

/**
 * The transport on BSD/macOS kqueue, through Netty's JNI binding ({@code netty-transport-native-kqueue}):
 * one kqueue per loop, an {@code EVFILT_USER} event for {@link #wakeup()}, and non-blocking sockets
 * made by {@code io.netty.channel.unix.Socket}, wrapped in the handles that it shares with the epoll
 * transport ({@code io.greenloop.spi.unix}). Only Netty's native layer is used.
 *
 * <h2>Route: direct JNI calls, as for epoll</h2>
 * The route was chosen on epoll, where both could be measured (see {@code EpollTransport} for the
 * figures: route A 333/657/1076 ns per wait against route B's 361/714/1097 ns for an empty poll, a ready
 * poll and a timed ready wait), and for the same reason that decides it there: Netty's
 * {@code ManualIoEventLoop} treats only its owner platform thread as in the loop, while greenloop's
 * handles are used from greenlets. Every native piece of kqueue in Netty 4.2.18 is package-private, so
 * this route goes through one class in Netty's package ({@link GreenloopKqueueAccess}).
 *
 * <h2>Edge-triggered, registered once</h2>
 * Each socket adds {@code EVFILT_READ} and {@code EVFILT_WRITE} with {@code EV_CLEAR} once, when its
 * state means something (a stream when it connects or is accepted, a listener once it listens, a UDP
 * socket when opened); the changes ride along with the next {@code kevent} wait, so registering costs no
 * syscall of its own, and closing the fd removes them. Interest changes never reach the kernel. As on
 * epoll, each handle remembers the readiness it was told about until an operation returns
 * {@code EAGAIN}, so an edge that came while nobody was interested is reported once interest is set
 * (see {@link UnixHandle}). {@code EV_EOF} on the write filter and {@code EV_ERROR} mark both ops;
 * {@code EV_EOF} on the read filter marks READ. Events carry their handle's id in {@code udata} and are
 * matched to handles right after the wait, so a stale event never reaches a newer socket on the same fd.
 *
 * <p>Tested on Linux only as far as compiling; its tests run in the macOS CI job.
 *
 * <p>Thread rule: every method except {@link #wakeup()} on the loop thread (the owner or one of its
 * greenlets). Heap buffers are copied through one direct buffer per transport, which that rule makes safe.
 */
public final class KqueueTransport implements Transport {

    /** The {@code EVFILT_USER} ident of the wake-up (fds live in other filters, so it cannot clash). */
    private static final int WAKEUP_IDENT = 0;
    /**
     * Kevents per wait, and changes per wait (two per registration). Fixed: Netty's array cannot grow
     * safely (see {@link GreenloopKqueueAccess}); more events than this wait in the kqueue for the next
     * poll, more registrations are submitted with the next poll, which then does not block.
     */
    private static final int KEVENTS = 4096;
    /** The fd table's first size; it grows to the highest fd in use. */
    private static final int INITIAL_FD_TABLE = 1024;
    /** The direct buffer heap buffers are copied through; holds the largest UDP datagram. */
    static final int SCRATCH_BYTES = 64 * 1024;
    /** The longest single wait: Netty's limit for kqueue timeouts (a day less a second); the loop polls again. */
    private static final int MAX_WAIT_SECONDS = 86_399;
    private static final short ADD_EDGE_TRIGGERED = (short) (EV_ADD | EV_CLEAR);

    private final FileDescriptor kqueueFd;
    private final GreenloopKqueueAccess kevents;
    private final Object wakeupLock = new Object();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(SCRATCH_BYTES);
    /** What the shared handles call to join the kqueue and leave the fd table. */
    private final UnixPoller poller = new Poller();
    private UnixHandle[] handles = new UnixHandle[INITIAL_FD_TABLE];
    /** Handles whose filters go to the kernel with the next wait. */
    private final ArrayDeque<UnixHandle> registrations = new ArrayDeque<>();
    /** Handles whose interest was set while they held matching readiness: reported at the next dispatch. */
    private final ReadyHandles readyHandles = new ReadyHandles();
    private long nextId = 1;
    private boolean closed;
    private boolean wakeupClosed;

    /** Opens the kqueue and its wake-up event. Fails when kqueue is not available here. */
    public KqueueTransport() throws IOException {
        if (!KQueue.isAvailable()) {
            throw new IOException("kqueue is not available here: " + KQueue.unavailabilityCause(), KQueue.unavailabilityCause());
        }
        FileDescriptor kqueue;
        try {
            kqueue = GreenloopKqueueAccess.newKqueue();
        } catch (RuntimeException e) {
            throw new IOException("could not open a kqueue: " + e.getMessage(), e);
        }
        int added = GreenloopKqueueAccess.addUserEvent(kqueue.intValue(), WAKEUP_IDENT);
        if (added < 0) {
            closeQuietly(kqueue);
            throw new IOException("could not add the kqueue's wake-up event: errno " + -added);
        }
        this.kqueueFd = kqueue;
        this.kevents = new GreenloopKqueueAccess(KEVENTS);
    }

    @Override
    public String name() {
        return "kqueue";
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        checkOpen();
        boolean allRegistered = submitRegistrations();
        int n = allRegistered && !readyHandles.hasPending() ? waitFor(timeoutNanos) : kevents.waitFor(kqueueFd, 0, 0);
        for (int i = 0; i < n; i++) {
            short filter = kevents.filter(i);
            if (filter == EVFILT_READ || filter == EVFILT_WRITE) {
                collect(kevents.ident(i), kevents.udata(i), opsOf(filter, kevents.flags(i)));
            }
        }
        return readyHandles.takePending();
    }

    /** Queues the filters of handles waiting for registration; {@code false} when some must wait for the next poll. */
    private boolean submitRegistrations() {
        while (!registrations.isEmpty() && kevents.changeRoom() >= 2) {
            UnixHandle handle = registrations.poll();
            if (!handle.isClosed()) {
                kevents.change(handle.fd(), EVFILT_READ, ADD_EDGE_TRIGGERED, handle.id());
                kevents.change(handle.fd(), EVFILT_WRITE, ADD_EDGE_TRIGGERED, handle.id());
            }
        }
        return registrations.isEmpty();
    }

    private int waitFor(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            return kevents.waitFor(kqueueFd, 0, 0);
        }
        long seconds = timeoutNanos < 0 ? MAX_WAIT_SECONDS : timeoutNanos / 1_000_000_000L;
        if (seconds >= MAX_WAIT_SECONDS) {
            return kevents.waitFor(kqueueFd, MAX_WAIT_SECONDS, 0);
        }
        return kevents.waitFor(kqueueFd, (int) seconds, (int) (timeoutNanos % 1_000_000_000L));
    }

    private static int opsOf(short filter, short flags) {
        if ((flags & EV_ERROR) != 0 || (filter == EVFILT_WRITE && (flags & EV_EOF) != 0)) {
            return IoHandle.READ | IoHandle.WRITE;  // the connection is gone: wake every waiter
        }
        return filter == EVFILT_READ ? IoHandle.READ : IoHandle.WRITE;
    }

    private void collect(int fd, long id, int ops) {
        UnixHandle handle = fd >= 0 && fd < handles.length ? handles[fd] : null;
        if (handle == null || handle.id() != id) {
            return;  // an event for a socket that was closed since (its fd may already be reused)
        }
        if (handle.markReady(ops)) {
            readyHandles.add(handle);
        }
    }

    @Override
    public void dispatch() {
        readyHandles.dispatch();
    }

    @Override
    public void wakeup() {
        // The lock keeps a late wake-up from another thread off a kqueue fd number that close() released.
        synchronized (wakeupLock) {
            if (!wakeupClosed) {
                GreenloopKqueueAccess.triggerUserEvent(kqueueFd.intValue(), WAKEUP_IDENT);
            }
        }
    }

    @Override
    public StreamHandle openStream(ProtocolFamily family) throws IOException {
        checkOpen();
        return adopt(new UnixStreamHandle(poller, newSocket(family, true)));
    }

    @Override
    public StreamHandle adoptStream(DetachedStream detached) throws IOException {
        checkOpen();
        return poller.adoptAccepted(UnixDetachedStream.takeFd(detached, name()));
    }

    @Override
    public ListenerHandle openListener(ProtocolFamily family) throws IOException {
        checkOpen();
        return adopt(new UnixListenerHandle(poller, newSocket(family, true)));
    }

    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        checkOpen();
        UnixDatagramHandle handle = adopt(new UnixDatagramHandle(poller, newSocket(family, false)));
        handle.register();  // an unbound UDP socket reports only "writable", so it can be watched at once (no syscall)
        return handle;
    }

    private static KqueueSocket newSocket(ProtocolFamily family, boolean stream) throws IOException {
        SocketProtocolFamily netty = socketFamily(family);
        try {
            return stream ? KqueueSocket.stream(netty) : KqueueSocket.datagram(netty);
        } catch (ChannelException e) {
            // Netty reports socket(2) failures (EMFILE: too many open files) unchecked; the SPI says IOException.
            throw new SocketException("could not open a " + (stream ? "TCP" : "UDP") + " socket: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
    }

    private static SocketProtocolFamily socketFamily(ProtocolFamily family) {
        Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.INET) {
            return SocketProtocolFamily.INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return SocketProtocolFamily.INET6;
        }
        throw new UnsupportedOperationException("the kqueue transport opens INET and INET6 sockets, not " + family);
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

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("the kqueue transport is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
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
        registrations.clear();
        readyHandles.clear();
        synchronized (wakeupLock) {
            wakeupClosed = true;
        }
        try {
            kqueueFd.close();
        } catch (IOException e) {
            failure = e;
        }
        kevents.free();
        if (failure != null) {
            throw new UncheckedIOException("closing the kqueue transport failed", failure);
        }
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException e) {
            // Closing a descriptor we own releases it even when close(2) reports an error.
        }
    }

    /**
     * The kqueue side of the shared handles: filters queued for the next wait, which submits them with no
     * extra syscall; closing the fd removes them. Loop thread only.
     */
    private final class Poller implements UnixPoller {

        @Override
        public String name() {
            return "kqueue";
        }

        @Override
        public ByteBuffer scratch() {
            return scratch;
        }

        @Override
        public void register(UnixHandle handle) {
            registrations.add(handle);
        }

        @Override
        public void reportSoon(UnixHandle handle) {
            readyHandles.reportSoon(handle);
        }

        @Override
        public void forget(UnixHandle handle, boolean registered) {
            int fd = handle.fd();
            if (fd >= 0 && fd < handles.length && handles[fd] == handle) {
                handles[fd] = null;
            }
        }

        @Override
        public long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException {
            return GreenloopKqueueAccess.sendFile(socket, file, position, count);
        }

        @Override
        public UnixStreamHandle adoptAccepted(int fd) throws IOException {
            UnixStreamHandle handle = adopt(new UnixStreamHandle(this, KqueueSocket.adopt(fd)));
            handle.register();  // at once: it is connected (queued for the next wait, so it cannot fail)
            return handle;
        }
    }

    @Override
    public String toString() {
        return "KqueueTransport[kqueue fd " + kqueueFd.intValue() + (closed ? ", closed]" : "]");
    }
}
