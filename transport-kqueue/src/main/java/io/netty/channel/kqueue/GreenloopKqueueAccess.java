package io.netty.channel.kqueue;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * greenloop's one class inside Netty's kqueue package: in Netty 4.2.18 everything native about kqueue
 * ({@code Native.newKQueue}, {@code keventWait}, the user events, {@link KQueueEventArray}, the
 * {@code EV_*}/{@code EVFILT_*} constants) is package-private, so the kqueue transport reaches it here
 * and nowhere else. Sockets need no door ({@code io.netty.channel.unix.Socket} is public), except for
 * {@code sendfile(2)}, which only the package-private {@code BsdSocket} has.
 *
 * <p>It works on the class path only (the module path forbids a split package), and it is pinned to
 * Netty 4.2.18.Final by the parent POM. Keep everything else out of this file.
 *
 * <p>Neither array is ever grown: in 4.2.18 {@code KQueueEventArray.realloc} leaves {@code capacity}
 * unchanged and copies {@code size} bytes rather than {@code size} kevents, so a change array that grew
 * past its first capacity would be written beyond its memory. {@link #change} refuses a change when the
 * array is full instead; the transport submits the rest with its next wait. An event array that a wait
 * fills is harmless: the kevents it could not hold stay queued in the kqueue for the next wait.
 *
 * <p>Thread rule: one instance per transport, used only on that transport's loop thread, except the
 * static {@link #triggerUserEvent} which any thread may call.
 */
public final class GreenloopKqueueAccess {

    /**
     * The Netty version this class was compiled against and whose package-private methods it calls; the
     * provider refuses the transport when another one is on the class path. Equal to the POM's
     * {@code netty.version} (a test checks it).
     */
    public static final String BUILT_FOR_NETTY = "4.2.18.Final";

    /** The read filter: readable, a pending connection, or end of stream. */
    public static final short EVFILT_READ = Native.EVFILT_READ;
    /** The write filter: writable, a finished connect, or the peer gone. */
    public static final short EVFILT_WRITE = Native.EVFILT_WRITE;
    /** The user filter that a wake-up triggers. */
    public static final short EVFILT_USER = Native.EVFILT_USER;
    /** A change that adds (or updates) a filter. */
    public static final short EV_ADD = Native.EV_ADD;
    /** Edge-triggered: the filter's state resets once it is reported. */
    public static final short EV_CLEAR = Native.EV_CLEAR;
    /** End of file on the filter (peer closed, or an error in {@code fflags}). */
    public static final short EV_EOF = Native.EV_EOF;
    /** A change failed; {@code data} holds the errno. */
    public static final short EV_ERROR = Native.EV_ERROR;

    private final KQueueEventArray changes;
    private final KQueueEventArray events;

    /** Change and event arrays for {@code capacity} kevents each; neither grows (see above). */
    public GreenloopKqueueAccess(int capacity) {
        this.changes = new KQueueEventArray(capacity);
        this.events = new KQueueEventArray(capacity);
    }

    /** A new kqueue. */
    public static FileDescriptor newKqueue() {
        return Native.newKQueue();
    }

    /** Adds the edge-triggered user event {@code ident}; a negative result is {@code -errno}. */
    public static int addUserEvent(int kqueueFd, int ident) {
        return Native.keventAddUserEvent(kqueueFd, ident);
    }

    /** Triggers the user event {@code ident}, ending a wait in progress; thread-safe; a negative result is {@code -errno}. */
    public static int triggerUserEvent(int kqueueFd, int ident) {
        return Native.keventTriggerUserEvent(kqueueFd, ident);
    }

    /**
     * Queues a change for the next {@link #waitFor}: {@code filter} on {@code fd} with {@code flags}, tagged
     * {@code udata}; {@code false} (and nothing queued) when the change array is full.
     */
    public boolean change(int fd, short filter, short flags, long udata) {
        if (changes.size() >= changes.capacity()) {
            return false;
        }
        changes.evSet(fd, filter, flags, 0, 0, udata);
        return true;
    }

    /** Room left in the change array, in kevents. */
    public int changeRoom() {
        return changes.capacity() - changes.size();
    }

    /**
     * Submits the queued changes and waits up to {@code seconds} + {@code nanos} (both 0: do not wait)
     * for events; the changes are consumed whatever happens.
     */
    public int waitFor(FileDescriptor kqueueFd, int seconds, int nanos) throws IOException {
        try {
            return Native.keventWait(kqueueFd.intValue(), changes, events, seconds, nanos);
        } finally {
            changes.clear();
        }
    }

    /** The fd (ident) of event {@code i} of the last wait. */
    public int ident(int i) {
        return events.ident(i);
    }

    /** The filter of event {@code i}. */
    public short filter(int i) {
        return events.filter(i);
    }

    /** The flags of event {@code i} ({@link #EV_EOF}, {@link #EV_ERROR}). */
    public short flags(int i) {
        return events.flags(i);
    }

    /** The udata of event {@code i}: what {@link #change} tagged it with. */
    public long udata(int i) {
        return events.udata(i);
    }

    /** Frees the native memory; the instance must not be used afterwards. */
    public void free() {
        changes.free();
        events.free();
    }

    /**
     * {@code sendfile(2)} of up to {@code count} bytes of {@code file} from {@code position} to a connected
     * non-blocking socket: bytes sent, 0 when its send buffer is full (Netty's native call, package-private).
     * The region is never released: releasing it would close the caller's file.
     */
    public static long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException {
        return new BsdSocket(socket.intValue()).sendFile(new DefaultFileRegion(file, position, count), position, 0, count);
    }
}
