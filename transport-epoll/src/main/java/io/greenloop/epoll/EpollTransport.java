package io.greenloop.epoll;

import io.greenloop.spi.IoHandle;
import io.greenloop.spi.unix.UnixHandle;
import io.greenloop.spi.unix.UnixTransport;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * The transport on Linux epoll, through Netty's JNI binding ({@code netty-transport-native-epoll}):
 * one epoll instance per loop, an eventfd for {@link #wakeup()}, and non-blocking sockets made by
 * {@link LinuxSocket}, wrapped in the handles that it shares with the kqueue transport ({@link UnixTransport}
 * holds all the two share; this class is the poll, the registration and the bridge). Only Netty's native layer
 * is used: no channels, no pipeline, no Netty event loop.
 *
 * <h2>Route: direct JNI calls, not Netty's {@code IoHandler} API</h2>
 * It calls {@code epoll_ctl} and {@code epoll_wait} itself, at once, on whichever strand of the loop asks. Netty's
 * {@code ManualIoEventLoop} counts only its owner platform thread as "in the loop", but greenloop's handles are
 * used from greenlets (virtual threads on that thread), so that route would turn every register and cancel a
 * greenlet makes into a queued Netty task with a promise, and leave a handle a greenlet closed registered until
 * that task ran; it also costs a little more per poll (bench/README.md, "Measurements behind design decisions").
 * The price is a few package-private natives of Netty's, reached through {@code EpollBridge}, which ties this
 * module to Netty 4.2.18.Final and, on the module path, to one {@code --add-opens} flag. The kqueue transport
 * takes the same route.
 *
 * <h2>Edge-triggered, registered once</h2>
 * Each socket is added once, with {@code EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET}, as soon as its
 * state means something (a stream when it connects or is accepted, a listener once it listens, a UDP
 * socket when opened), and removed once, when it closes: an interest change never calls
 * {@code epoll_ctl}. Level-triggered would need an {@code EPOLL_CTL_MOD} whenever the interest changes
 * (a writer parks on a full buffer; a report finds nobody waiting and the networking layer drops that
 * op), or an idle writable socket would report {@code EPOLLOUT} on every wait and spin the loop; Netty
 * itself pays those {@code epoll_ctl} calls since it went level-triggered.
 *
 * <p>Edge-triggered means the kernel reports a change once, so each handle remembers what it was told
 * ({@link UnixHandle#readiness()}) and forgets an op only when that op returns {@code EAGAIN}. That is
 * why no readiness is ever lost: after {@code EAGAIN} any new data or buffer space is a new edge that
 * the next wait returns; until then the handle still holds the bit. Dispatch reports
 * {@code readiness & interest}; a handle whose interest is set while it holds a matching bit is queued
 * and reported at the next dispatch (that poll does not block). {@code EPOLLERR}/{@code EPOLLHUP} mark
 * both ops, {@code EPOLLRDHUP} marks READ. Events are matched to handles right after the wait, before
 * any listener runs, so a listener that closes one socket and opens another on the same fd number
 * cannot get the old socket's event.
 *
 * <h2>Timeouts</h2>
 * A timed poll is one {@code epoll_pwait2} with the loop's nanosecond deadline (kernels 5.11+; older ones fall
 * back to {@code epoll_wait} in milliseconds, or a timerfd under a millisecond): far more precise than whole
 * milliseconds, and one system call where a timerfd takes two (bench/README.md has the lateness of each). A wait
 * without limit is a plain {@code epoll_wait(-1)}.
 *
 * <p>Thread rule: every method except {@link #wakeup()} on the loop thread (the owner or one of its
 * greenlets). Heap buffers are copied through one direct buffer per transport, which that rule makes safe.
 */
public final class EpollTransport extends UnixTransport {

    /** {@code EPOLLHUP}: always reported, not exported by Netty's {@code Native}; 0x010 on every Linux architecture. */
    private static final int EPOLLHUP = 0x010;
    /** What every socket registers once: both directions, peer half-close, edge-triggered. */
    private static final int REGISTERED_EVENTS = Native.EPOLLIN | Native.EPOLLOUT | Native.EPOLLRDHUP | Native.EPOLLET;
    /** Events one wait can return at first; the array doubles whenever a wait fills it. */
    private static final int INITIAL_EVENTS = 1024;
    /**
     * The longest single timed wait: a day. The loop simply polls again; the cap keeps the old-kernel
     * fallback's {@code int} millisecond arithmetic from overflowing.
     */
    private static final int MAX_WAIT_SECONDS = 86_400;

    private final FileDescriptor epollFd;
    private final FileDescriptor eventFd;
    private final FileDescriptor timerFd;
    private final EpollBridge events;

    /**
     * Opens the epoll instance, its eventfd and its timerfd. Fails when epoll is not available here.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public EpollTransport() throws IOException {
        super("epoll", new Sockets(LinuxSocket::newSocketStream, LinuxSocket::newSocketDgram, LinuxSocket::newSocket));
        if (!Epoll.isAvailable()) {
            throw new IOException("epoll is not available here: " + Epoll.unavailabilityCause(), Epoll.unavailabilityCause());
        }
        FileDescriptor epoll = null;
        FileDescriptor wake = null;
        FileDescriptor timer = null;
        try {
            epoll = Native.newEpollCreate();
            wake = Native.newEventFd();
            timer = Native.newTimerFd();
            // Both edge-triggered and never read: each eventfd write and each timer expiry is one new edge.
            Native.epollCtlAdd(epoll.intValue(), wake.intValue(), Native.EPOLLIN | Native.EPOLLET);
            Native.epollCtlAdd(epoll.intValue(), timer.intValue(), Native.EPOLLIN | Native.EPOLLET);
        } catch (IOException | RuntimeException e) {
            closeQuietly(timer);
            closeQuietly(wake);
            closeQuietly(epoll);
            throw e instanceof IOException io ? io : new IOException("could not open an epoll instance: " + e.getMessage(), e);
        }
        this.epollFd = epoll;
        this.eventFd = wake;
        this.timerFd = timer;
        this.events = new EpollBridge(INITIAL_EVENTS);
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        checkOpen();
        int n = hasPendingReports() ? events.waitNow(epollFd) : waitFor(timeoutNanos);
        for (int i = 0; i < n; i++) {
            // The eventfd and the timerfd have no handle: their edge has done its job.
            ready(events.fd(i), 0, opsOf(events.flags(i)));
        }
        if (n == events.capacity()) {
            events.grow();
        }
        return readyCount();
    }

    private int waitFor(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            return events.waitNow(epollFd);
        }
        if (timeoutNanos < 0) {
            return events.waitForever(epollFd);
        }
        long seconds = timeoutNanos / 1_000_000_000L;
        if (seconds >= MAX_WAIT_SECONDS) {
            return events.waitTimed(epollFd, timerFd, MAX_WAIT_SECONDS, 0);
        }
        return events.waitTimed(epollFd, timerFd, (int) seconds, (int) (timeoutNanos % 1_000_000_000L));
    }

    private static int opsOf(int flags) {
        int ops = 0;
        if ((flags & (Native.EPOLLIN | Native.EPOLLRDHUP)) != 0) {
            ops |= IoHandle.READ;
        }
        if ((flags & Native.EPOLLOUT) != 0) {
            ops |= IoHandle.WRITE;
        }
        if ((flags & (Native.EPOLLERR | EPOLLHUP)) != 0) {
            ops |= IoHandle.READ | IoHandle.WRITE;
        }
        if ((flags & (Native.EPOLLERR | EPOLLHUP | Native.EPOLLRDHUP)) != 0) {
            ops |= HUNG_UP;
        }
        return ops;
    }

    @Override
    protected void wakeupNow() {
        Native.eventFdWrite(eventFd.intValue(), 1L);
    }

    /** {@code epoll_ctl} add, once per socket. */
    @Override
    protected void register(UnixHandle handle) throws IOException {
        Native.epollCtlAdd(epollFd.intValue(), handle.fd(), REGISTERED_EVENTS);
    }

    @Override
    protected void unregister(UnixHandle handle) {
        try {
            Native.epollCtlDel(epollFd.intValue(), handle.fd());
        } catch (IOException e) {
            // Already gone from the set: nothing more to undo.
        }
    }

    /** The epoll instance's fd, for tests and diagnostics ({@code /proc/self/fdinfo/N} lists its set). */
    int epollFd() {
        return epollFd.intValue();
    }

    /** The transport's own fds in its epoll set (the eventfd and the timerfd), which belong to no handle. */
    List<Integer> ownFds() {
        return List.of(eventFd.intValue(), timerFd.intValue());
    }

    @Override
    protected long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException {
        return EpollBridge.sendFile(socket, file, position, count);
    }

    /**
     * {@code SO_BUSY_POLL} through Netty's {@code LinuxSocket}. A refusal is an {@link IOException} that says
     * why where it can: before Linux 6.4 raising the value above the socket's needs {@code CAP_NET_ADMIN}.
     */
    @Override
    protected void setBusyPoll(Socket socket, int micros) throws IOException {
        try {
            EpollBridge.setBusyPoll(socket, micros);
        } catch (IOException | ChannelException e) {
            throw new SocketException(busyPollRefused(micros, EpollBridge.busyPoll(socket), e.getMessage()), e);
        }
    }

    @Override
    protected int busyPoll(Socket socket) throws IOException {
        return EpollBridge.busyPoll(socket);
    }

    /**
     * What a refused {@code SO_BUSY_POLL} of {@code micros} on a socket at {@code current} says. Netty reports
     * the failure with the kernel's text only, no errno; a raise is what needs the capability, so a refused raise
     * names it (Linux before 6.4 refused it with EPERM without {@code CAP_NET_ADMIN}; 6.4 and later never do).
     */
    static String busyPollRefused(int micros, int current, String kernelSaid) {
        String why = micros <= current ? "" : ": raising it above the socket's " + current + " us (a new socket starts at"
                + " net.core.busy_read) needs CAP_NET_ADMIN on Linux before 6.4; give the process that capability"
                + " (setcap cap_net_admin+ep on the java binary, or run as root), raise net.core.busy_read to at least "
                + micros + ", or ask for at most " + current + " us";
        return "setting SO_BUSY_POLL to " + micros + " us was refused (" + kernelSaid + ")" + why;
    }

    @Override
    protected void closeKernelSet() throws IOException {
        closeQuietly(eventFd);
        closeQuietly(timerFd);
        try {
            epollFd.close();
        } finally {
            events.free();
        }
    }

    @Override
    public String toString() {
        return "EpollTransport[epoll fd " + epollFd.intValue() + (isClosed() ? ", closed]" : "]");
    }
}
