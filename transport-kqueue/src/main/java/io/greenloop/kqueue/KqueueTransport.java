package io.greenloop.kqueue;

import io.greenloop.spi.IoHandle;
import io.greenloop.spi.unix.UnixHandle;
import io.greenloop.spi.unix.UnixTransport;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;

import static io.greenloop.kqueue.KqueueBridge.Kevent.EVFILT_READ;
import static io.greenloop.kqueue.KqueueBridge.Kevent.EVFILT_WRITE;
import static io.greenloop.kqueue.KqueueBridge.Kevent.EV_ADD;
import static io.greenloop.kqueue.KqueueBridge.Kevent.EV_CLEAR;
import static io.greenloop.kqueue.KqueueBridge.Kevent.EV_EOF;
import static io.greenloop.kqueue.KqueueBridge.Kevent.EV_ERROR;

/**
 * The transport on BSD/macOS kqueue, through Netty's JNI binding ({@code netty-transport-native-kqueue}):
 * one kqueue per loop, an {@code EVFILT_USER} event for {@link #wakeup()}, and non-blocking sockets
 * made by {@code io.netty.channel.unix.Socket}, wrapped in the handles that it shares with the epoll
 * transport ({@link UnixTransport} holds all the two share; this class is the poll, the registration and the bridge). Only Netty's native layer is used.
 *
 * <h2>Route: direct JNI calls, as for epoll</h2>
 * For the reason that decides it on epoll ({@code EpollTransport}): Netty's {@code ManualIoEventLoop} treats only
 * its owner platform thread as in the loop, while greenloop's handles are used from greenlets. Every native piece of kqueue in Netty 4.2.18 is package-private, so
 * this route goes through {@code KqueueBridge}, which reaches them with a private lookup in Netty's package.
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
public final class KqueueTransport extends UnixTransport {

    /** The {@code EVFILT_USER} ident of the wake-up (fds live in other filters, so it cannot clash). */
    private static final int WAKEUP_IDENT = 0;
    /**
     * Kevents per wait, and changes per wait (two per registration). Fixed: Netty's array cannot grow
     * safely (see {@code KqueueBridge}); more events than this wait in the kqueue for the next
     * poll, more registrations are submitted with the next poll, which then does not block.
     */
    private static final int KEVENTS = 4096;
    /** The longest single wait: Netty's limit for kqueue timeouts (a day less a second); the loop polls again. */
    private static final int MAX_WAIT_SECONDS = 86_399;
    private static final short ADD_EDGE_TRIGGERED = (short) (EV_ADD | EV_CLEAR);

    private final FileDescriptor kqueueFd;
    private final KqueueBridge kevents;
    /** Handles whose filters go to the kernel with the next wait. */
    private final ArrayDeque<UnixHandle> registrations = new ArrayDeque<>();

    /**
     * Opens the kqueue and its wake-up event. Fails when kqueue is not available here.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public KqueueTransport() throws IOException {
        super("kqueue", new Sockets(KqueueSocket::stream, KqueueSocket::datagram, KqueueSocket::adopt));
        if (!KQueue.isAvailable()) {
            throw new IOException("kqueue is not available here: " + KQueue.unavailabilityCause(), KQueue.unavailabilityCause());
        }
        FileDescriptor kqueue;
        try {
            kqueue = KqueueBridge.newKqueue();
        } catch (RuntimeException e) {
            throw new IOException("could not open a kqueue: " + e.getMessage(), e);
        }
        int added = KqueueBridge.addUserEvent(kqueue.intValue(), WAKEUP_IDENT);
        if (added < 0) {
            closeQuietly(kqueue);
            throw new IOException("could not add the kqueue's wake-up event: errno " + -added);
        }
        this.kqueueFd = kqueue;
        this.kevents = new KqueueBridge(KEVENTS);
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        checkOpen();
        boolean allRegistered = submitRegistrations();
        int n = allRegistered && !hasPendingReports() ? waitFor(timeoutNanos) : kevents.waitFor(kqueueFd, 0, 0);
        for (int i = 0; i < n; i++) {
            short filter = kevents.filter(i);
            if (filter == EVFILT_READ || filter == EVFILT_WRITE) {
                // udata carries the handle's id: an event for a socket closed since (its fd reused) is dropped.
                ready(kevents.ident(i), kevents.udata(i), opsOf(filter, kevents.flags(i)));
            }
        }
        return readyCount();
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
            return IoHandle.READ | IoHandle.WRITE | HUNG_UP;  // the connection is gone: wake every waiter
        }
        return (filter == EVFILT_READ ? IoHandle.READ : IoHandle.WRITE) | ((flags & EV_EOF) != 0 ? HUNG_UP : 0);
    }

    @Override
    protected void wakeupNow() {
        KqueueBridge.triggerUserEvent(kqueueFd.intValue(), WAKEUP_IDENT);
    }

    /** Queues the handle's filters for the next wait, which submits them with no syscall of its own (so it cannot fail). */
    @Override
    protected void register(UnixHandle handle) {
        registrations.add(handle);
    }

    /** Nothing: closing the fd removes its filters from the kqueue. */
    @Override
    protected void unregister(UnixHandle handle) {
    }

    @Override
    protected long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException {
        return KqueueBridge.sendFile(socket, file, position, count);
    }

    @Override
    protected void closeKernelSet() throws IOException {
        registrations.clear();
        try {
            kqueueFd.close();
        } finally {
            kevents.free();
        }
    }

    @Override
    public String toString() {
        return "KqueueTransport[kqueue fd " + kqueueFd.intValue() + (isClosed() ? ", closed]" : "]");
    }
}
