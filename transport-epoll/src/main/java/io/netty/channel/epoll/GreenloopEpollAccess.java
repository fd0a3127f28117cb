package io.netty.channel.epoll;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * greenloop's one class inside Netty's package: the {@code epoll_event} array that {@code epoll_wait}
 * fills, and the waits that fill it. It exists because in Netty 4.2.18 {@link EpollEventArray}'s
 * constructor and accessors, and the {@code Native.epollWait} variants that take an {@code int}
 * timeout or a nanosecond timeout without Netty's deprecation, are package-private; everything else
 * the epoll transport needs ({@code Native.newEpollCreate}, {@code newEventFd}, {@code epollCtlAdd/Del},
 * {@link LinuxSocket}, {@code io.netty.channel.unix.Socket}) is public and used directly, except
 * {@code LinuxSocket.sendFile}, which is package-private too.
 *
 * <p>It works on the class path only (the module path forbids a split package), and it is pinned to
 * Netty 4.2.18.Final by the parent POM. Keep everything else out of this file.
 *
 * <p>Thread rule: one instance per transport, used only on that transport's loop thread.
 */
public final class GreenloopEpollAccess {

    /**
     * The Netty version this class was compiled against and whose package-private methods it calls; the
     * provider refuses the transport when another one is on the class path. Equal to the POM's
     * {@code netty.version} (a test checks it).
     */
    public static final String BUILT_FOR_NETTY = "4.2.18.Final";

    /**
     * What {@code epollWait0} takes as its "tolerable drift": with it positive, a timed wait is one
     * {@code epoll_pwait2} with nanosecond precision (kernel 5.11+), or on older kernels an
     * {@code epoll_wait} with whole milliseconds, or a timerfd for a wait of less than a millisecond.
     */
    private static final long MILLIS_THRESHOLD = 1;

    private final EpollEventArray events;

    /** An event array for {@code capacity} events. */
    public GreenloopEpollAccess(int capacity) {
        this.events = new EpollEventArray(capacity);
    }

    /** Returns at once with the events already pending: {@code epoll_wait(fd, events, n, 0)}. */
    public int waitNow(FileDescriptor epollFd) throws IOException {
        return Native.epollWait(epollFd, events, 0);
    }

    /** Waits without limit: {@code epoll_wait(fd, events, n, -1)}, no timer involved. */
    public int waitForever(FileDescriptor epollFd) throws IOException {
        return Native.epollWait(epollFd, events, -1);
    }

    /**
     * Waits up to {@code seconds} + {@code nanos} (not both 0; {@code seconds} below
     * {@code Integer.MAX_VALUE}); {@code timerFd} must be registered edge-triggered on {@code epollFd}
     * for the old-kernel fallback.
     */
    public int waitTimed(FileDescriptor epollFd, FileDescriptor timerFd, int seconds, int nanos) throws IOException {
        return Native.epollReady(Native.epollWait(epollFd, events, timerFd, seconds, nanos, MILLIS_THRESHOLD));
    }

    /** The file descriptor of event {@code i} of the last wait. */
    public int fd(int i) {
        return events.fd(i);
    }

    /** The {@code EPOLL*} flags of event {@code i} of the last wait. */
    public int flags(int i) {
        return events.events(i);
    }

    /** How many events one wait can return. */
    public int capacity() {
        return events.length();
    }

    /** Doubles the capacity; call it between waits when a wait filled the array. */
    public void grow() {
        events.increase();
    }

    /** Frees the native memory; the instance must not be used afterwards. */
    public void free() {
        events.free();
    }

    /**
     * {@code sendfile(2)} of up to {@code count} bytes of {@code file} from {@code position} to a connected
     * non-blocking socket: bytes sent, 0 when its send buffer is full (Netty's native call, package-private).
     * The region is never released: releasing it would close the caller's file.
     */
    public static long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException {
        LinuxSocket linux = socket instanceof LinuxSocket own ? own : LinuxSocket.newSocket(socket.intValue());
        return linux.sendFile(new DefaultFileRegion(file, position, count), position, 0, count);
    }
}
