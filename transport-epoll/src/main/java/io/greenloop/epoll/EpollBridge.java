package io.greenloop.epoll;

import io.greenloop.spi.unix.NettyInternals;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.epoll.EpollEventArray;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.channels.FileChannel;

import static io.greenloop.spi.unix.NettyInternals.resolve;
import static java.lang.invoke.MethodType.methodType;

/**
 * The epoll transport's door to Netty's package-private natives: the {@code epoll_event} array that
 * {@code epoll_wait} fills, and the waits that fill it. In Netty 4.2.18 {@link EpollEventArray}'s constructor and
 * accessors, the {@code Native.epollWait} variants that take an {@code int} timeout or a nanosecond timeout without
 * Netty's deprecation, {@code LinuxSocket.sendFile} and {@code LinuxSocket.setSoBusyPoll/getSoBusyPoll} are
 * package-private; everything else the transport needs
 * ({@code Native.newEpollCreate}, {@code newEventFd}, {@code epollCtlAdd/Del}, {@link LinuxSocket},
 * {@code io.netty.channel.unix.Socket}) is public and used directly.
 *
 * <p>It reaches them through a private lookup in {@code io.netty.channel.epoll} (see {@link NettyInternals}), held
 * in {@code static final} handles that the JIT inlines like direct calls. On the module path that takes the one
 * flag this module needs, {@code --add-opens io.netty.transport.classes.epoll/io.netty.channel.epoll=greenloop.transport.epoll};
 * without it this class fails to initialise with a message that gives the flag, and the provider reports that as
 * epoll's unavailability cause. The handles are typed for Netty 4.2.18.Final, which the parent POM pins.
 *
 * <p>Thread rule: one instance per transport, used only on that transport's loop thread.
 */
final class EpollBridge {

    /**
     * The Netty version whose package-private members this class calls; the provider refuses the transport when
     * another one is found. Equal to the POM's {@code netty.version} (a test checks it).
     */
    static final String BUILT_FOR_NETTY = "4.2.18.Final";

    /**
     * What {@code epollWait0} takes as its "tolerable drift": with it positive, a timed wait is one
     * {@code epoll_pwait2} with nanosecond precision (kernel 5.11+), or on older kernels an
     * {@code epoll_wait} with whole milliseconds, or a timerfd for a wait of less than a millisecond.
     */
    private static final long MILLIS_THRESHOLD = 1;

    private static final MethodHandles.Lookup NETTY = NettyInternals.privateLookupIn(Native.class, MethodHandles.lookup());
    private static final MethodHandle NEW_EVENT_ARRAY = resolve(() ->
            NETTY.findConstructor(EpollEventArray.class, methodType(void.class, int.class)));
    /** {@code Native.epollWait(epollFd, events, timeoutMillis)}: 0 polls, -1 waits without limit. */
    private static final MethodHandle WAIT_MILLIS = resolve(() -> NETTY.findStatic(Native.class, "epollWait",
            methodType(int.class, FileDescriptor.class, EpollEventArray.class, int.class)));
    /** {@code Native.epollReady(Native.epollWait(epollFd, events, timerFd, seconds, nanos, drift))}: the ready count. */
    private static final MethodHandle WAIT_TIMED = resolve(() -> MethodHandles.filterReturnValue(
            NETTY.findStatic(Native.class, "epollWait", methodType(long.class, FileDescriptor.class, EpollEventArray.class,
                    FileDescriptor.class, int.class, int.class, long.class)),
            NETTY.findStatic(Native.class, "epollReady", methodType(int.class, long.class))));
    private static final MethodHandle FD = resolve(() ->
            NETTY.findVirtual(EpollEventArray.class, "fd", methodType(int.class, int.class)));
    private static final MethodHandle EVENTS = resolve(() ->
            NETTY.findVirtual(EpollEventArray.class, "events", methodType(int.class, int.class)));
    private static final MethodHandle LENGTH = resolve(() ->
            NETTY.findVirtual(EpollEventArray.class, "length", methodType(int.class)));
    private static final MethodHandle INCREASE = resolve(() ->
            NETTY.findVirtual(EpollEventArray.class, "increase", methodType(void.class)));
    private static final MethodHandle FREE = resolve(() ->
            NETTY.findVirtual(EpollEventArray.class, "free", methodType(void.class)));
    private static final MethodHandle SEND_FILE = resolve(() -> NETTY.findVirtual(LinuxSocket.class, "sendFile",
            methodType(long.class, DefaultFileRegion.class, long.class, long.class, long.class)));

    /** {@code setsockopt(SOL_SOCKET, SO_BUSY_POLL)}; a refusal is Netty's unchecked {@code ChannelException}. */
    private static final MethodHandle SET_BUSY_POLL = resolve(() ->
            NETTY.findVirtual(LinuxSocket.class, "setSoBusyPoll", methodType(void.class, int.class)));
    private static final MethodHandle GET_BUSY_POLL = resolve(() ->
            NETTY.findVirtual(LinuxSocket.class, "getSoBusyPoll", methodType(int.class)));

    private final EpollEventArray events;

    /** An event array for {@code capacity} events. */
    EpollBridge(int capacity) {
        try {
            this.events = (EpollEventArray) NEW_EVENT_ARRAY.invokeExact(capacity);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** Returns at once with the events already pending: {@code epoll_wait(fd, events, n, 0)}. */
    int waitNow(FileDescriptor epollFd) throws IOException {
        return waitMillis(epollFd, 0);
    }

    /** Waits without limit: {@code epoll_wait(fd, events, n, -1)}, no timer involved. */
    int waitForever(FileDescriptor epollFd) throws IOException {
        return waitMillis(epollFd, -1);
    }

    private int waitMillis(FileDescriptor epollFd, int timeoutMillis) throws IOException {
        try {
            return (int) WAIT_MILLIS.invokeExact(epollFd, events, timeoutMillis);
        } catch (Throwable e) {
            throw NettyInternals.ioFailure(e);
        }
    }

    /**
     * Waits up to {@code seconds} + {@code nanos} (not both 0; {@code seconds} below
     * {@code Integer.MAX_VALUE}); {@code timerFd} must be registered edge-triggered on {@code epollFd}
     * for the old-kernel fallback.
     */
    int waitTimed(FileDescriptor epollFd, FileDescriptor timerFd, int seconds, int nanos) throws IOException {
        try {
            return (int) WAIT_TIMED.invokeExact(epollFd, events, timerFd, seconds, nanos, MILLIS_THRESHOLD);
        } catch (Throwable e) {
            throw NettyInternals.ioFailure(e);
        }
    }

    /** The file descriptor of event {@code i} of the last wait. */
    int fd(int i) {
        try {
            return (int) FD.invokeExact(events, i);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** The {@code EPOLL*} flags of event {@code i} of the last wait. */
    int flags(int i) {
        try {
            return (int) EVENTS.invokeExact(events, i);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** How many events one wait can return. */
    int capacity() {
        try {
            return (int) LENGTH.invokeExact(events);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** Doubles the capacity; call it between waits when a wait filled the array. */
    void grow() {
        try {
            INCREASE.invokeExact(events);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** Frees the native memory; the instance must not be used afterwards. */
    void free() {
        try {
            FREE.invokeExact(events);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /**
     * {@code sendfile(2)} of up to {@code count} bytes of {@code file} from {@code position} to a connected
     * non-blocking socket: bytes sent, 0 when its send buffer is full. The region is never released: releasing it
     * would close the caller's file.
     */
    static long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException {
        LinuxSocket linux = linux(socket);
        try {
            return (long) SEND_FILE.invokeExact(linux, new DefaultFileRegion(file, position, count), position, 0L, count);
        } catch (Throwable e) {
            throw NettyInternals.ioFailure(e);
        }
    }

    /** Sets {@code SO_BUSY_POLL} to {@code micros} on {@code socket}. */
    static void setBusyPoll(Socket socket, int micros) throws IOException {
        try {
            SET_BUSY_POLL.invokeExact(linux(socket), micros);
        } catch (Throwable e) {
            throw NettyInternals.ioFailure(e);
        }
    }

    /** {@code SO_BUSY_POLL} of {@code socket}, in microseconds. */
    static int busyPoll(Socket socket) throws IOException {
        try {
            return (int) GET_BUSY_POLL.invokeExact(linux(socket));
        } catch (Throwable e) {
            throw NettyInternals.ioFailure(e);
        }
    }

    /** The transport's sockets are Netty's {@link LinuxSocket}s already; any other fd is wrapped, never closed here. */
    private static LinuxSocket linux(Socket socket) {
        return socket instanceof LinuxSocket own ? own : LinuxSocket.newSocket(socket.intValue());
    }
}
