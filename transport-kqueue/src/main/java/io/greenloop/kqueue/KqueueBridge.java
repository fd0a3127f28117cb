package io.greenloop.kqueue;

import io.greenloop.spi.unix.NettyInternals;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.FileChannel;

import static io.greenloop.spi.unix.NettyInternals.resolve;
import static java.lang.invoke.MethodType.methodType;

/**
 * The kqueue transport's door to Netty's package-private natives: in Netty 4.2.18 everything native about kqueue
 * ({@code Native.newKQueue}, {@code keventWait}, the user events, {@code KQueueEventArray}, the
 * {@code EV_*}/{@code EVFILT_*} constants) is package-private, so the transport reaches it here and nowhere else.
 * Sockets need no door ({@code io.netty.channel.unix.Socket} is public), except for {@code sendfile(2)}, which only
 * the package-private {@code BsdSocket} has.
 *
 * <p>It reaches them through a private lookup in {@code io.netty.channel.kqueue} (see {@link NettyInternals}), held
 * in {@code static final} handles that the JIT inlines like direct calls; {@code KQueueEventArray} cannot be named
 * here, so the arrays are held as {@code Object}s and the handles typed to match. On the module path that takes the
 * one flag this module needs, {@code --add-opens io.netty.transport.classes.kqueue/io.netty.channel.kqueue=greenloop.transport.kqueue};
 * without it this class fails to initialise with a message that gives the flag, and the provider reports that as
 * kqueue's unavailability cause. The handles are typed for Netty 4.2.18.Final, which the parent POM pins.
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
final class KqueueBridge {

    /**
     * The Netty version whose package-private members this class calls; the provider refuses the transport when
     * another one is found. Equal to the POM's {@code netty.version} (a test checks it).
     */
    static final String BUILT_FOR_NETTY = "4.2.18.Final";

    private static final MethodHandles.Lookup NETTY = NettyInternals.privateLookupIn(KQueue.class, MethodHandles.lookup());
    private static final Class<?> NATIVE = resolve(() -> NETTY.findClass("io.netty.channel.kqueue.Native"));
    private static final Class<?> EVENT_ARRAY = resolve(() -> NETTY.findClass("io.netty.channel.kqueue.KQueueEventArray"));

    private static final MethodHandle NEW_KQUEUE = resolve(() ->
            NETTY.findStatic(NATIVE, "newKQueue", methodType(FileDescriptor.class)));
    private static final MethodHandle ADD_USER_EVENT = resolve(() ->
            NETTY.findStatic(NATIVE, "keventAddUserEvent", methodType(int.class, int.class, int.class)));
    private static final MethodHandle TRIGGER_USER_EVENT = resolve(() ->
            NETTY.findStatic(NATIVE, "keventTriggerUserEvent", methodType(int.class, int.class, int.class)));
    /** {@code Native.keventWait(kqueueFd, changes, events, seconds, nanos)}, the arrays as {@code Object}s. */
    private static final MethodHandle WAIT = resolve(() -> erased(NETTY.findStatic(NATIVE, "keventWait",
            methodType(int.class, int.class, EVENT_ARRAY, EVENT_ARRAY, int.class, int.class))));
    private static final MethodHandle NEW_EVENT_ARRAY = resolve(() ->
            erased(NETTY.findConstructor(EVENT_ARRAY, methodType(void.class, int.class))));
    /** {@code array.evSet(ident, filter, flags, fflags, data, udata)}. */
    private static final MethodHandle EV_SET = arrayMethod("evSet",
            methodType(void.class, int.class, short.class, short.class, int.class, long.class, long.class));
    private static final MethodHandle SIZE = arrayMethod("size", methodType(int.class));
    private static final MethodHandle CAPACITY = arrayMethod("capacity", methodType(int.class));
    private static final MethodHandle CLEAR = arrayMethod("clear", methodType(void.class));
    private static final MethodHandle FREE = arrayMethod("free", methodType(void.class));
    private static final MethodHandle IDENT = arrayMethod("ident", methodType(int.class, int.class));
    private static final MethodHandle FILTER = arrayMethod("filter", methodType(short.class, int.class));
    private static final MethodHandle FLAGS = arrayMethod("flags", methodType(short.class, int.class));
    private static final MethodHandle UDATA = arrayMethod("udata", methodType(long.class, int.class));
    /** {@code new BsdSocket(fd).sendFile(region, position, skip, count)}. */
    private static final MethodHandle SEND_FILE = resolve(() -> {
        Class<?> bsdSocket = NETTY.findClass("io.netty.channel.kqueue.BsdSocket");
        MethodHandle sendFile = NETTY.findVirtual(bsdSocket, "sendFile",
                methodType(long.class, DefaultFileRegion.class, long.class, long.class, long.class));
        MethodHandle newSocket = NETTY.findConstructor(bsdSocket, methodType(void.class, int.class));
        return MethodHandles.filterArguments(sendFile, 0, newSocket);
    });

    private final Object changes;
    private final Object events;

    /** Change and event arrays for {@code capacity} kevents each; neither grows (see above). */
    KqueueBridge(int capacity) {
        this.changes = newEventArray(capacity);
        this.events = newEventArray(capacity);
    }

    private static Object newEventArray(int capacity) {
        try {
            return (Object) NEW_EVENT_ARRAY.invokeExact(capacity);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** A new kqueue. */
    static FileDescriptor newKqueue() {
        try {
            return (FileDescriptor) NEW_KQUEUE.invokeExact();
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** Adds the edge-triggered user event {@code ident}; a negative result is {@code -errno}. */
    static int addUserEvent(int kqueueFd, int ident) {
        return userEvent(ADD_USER_EVENT, kqueueFd, ident);
    }

    /** Triggers the user event {@code ident}, ending a wait in progress; thread-safe; a negative result is {@code -errno}. */
    static int triggerUserEvent(int kqueueFd, int ident) {
        return userEvent(TRIGGER_USER_EVENT, kqueueFd, ident);
    }

    private static int userEvent(MethodHandle call, int kqueueFd, int ident) {
        try {
            return (int) call.invokeExact(kqueueFd, ident);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /**
     * Queues a change for the next {@link #waitFor}: {@code filter} on {@code fd} with {@code flags}, tagged
     * {@code udata}; {@code false} (and nothing queued) when the change array is full.
     */
    boolean change(int fd, short filter, short flags, long udata) {
        if (changeRoom() <= 0) {
            return false;
        }
        try {
            EV_SET.invokeExact(changes, fd, filter, flags, 0, 0L, udata);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
        return true;
    }

    /** Room left in the change array, in kevents. */
    int changeRoom() {
        try {
            return (int) CAPACITY.invokeExact(changes) - (int) SIZE.invokeExact(changes);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /**
     * Submits the queued changes and waits up to {@code seconds} + {@code nanos} (both 0: do not wait)
     * for events; the changes are consumed whatever happens.
     */
    int waitFor(FileDescriptor kqueueFd, int seconds, int nanos) throws IOException {
        try {
            return (int) WAIT.invokeExact(kqueueFd.intValue(), changes, events, seconds, nanos);
        } catch (Throwable e) {
            throw NettyInternals.ioFailure(e);
        } finally {
            arrayCall(CLEAR, changes);
        }
    }

    /** The fd (ident) of event {@code i} of the last wait. */
    int ident(int i) {
        try {
            return (int) IDENT.invokeExact(events, i);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** The filter of event {@code i}. */
    short filter(int i) {
        try {
            return (short) FILTER.invokeExact(events, i);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** The flags of event {@code i} ({@link Kevent#EV_EOF}, {@link Kevent#EV_ERROR}). */
    short flags(int i) {
        try {
            return (short) FLAGS.invokeExact(events, i);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** The udata of event {@code i}: what {@link #change} tagged it with. */
    long udata(int i) {
        try {
            return (long) UDATA.invokeExact(events, i);
        } catch (Throwable e) {
            throw NettyInternals.unchecked(e);
        }
    }

    /** Frees the native memory; the instance must not be used afterwards. */
    void free() {
        arrayCall(FREE, changes);
        arrayCall(FREE, events);
    }

    private static void arrayCall(MethodHandle call, Object array) {
        try {
            call.invokeExact(array);
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
        try {
            return (long) SEND_FILE.invokeExact(socket.intValue(), new DefaultFileRegion(file, position, count), position, 0L, count);
        } catch (Throwable e) {
            throw NettyInternals.ioFailure(e);
        }
    }

    /** A method of {@code KQueueEventArray} with the array as an {@code Object}. */
    private static MethodHandle arrayMethod(String name, MethodType type) {
        return resolve(() -> erased(NETTY.findVirtual(EVENT_ARRAY, name, type)));
    }

    /** {@code handle} with {@code KQueueEventArray}, which cannot be named here, as {@code Object}. */
    private static MethodHandle erased(MethodHandle handle) {
        MethodType type = handle.type();
        for (int i = 0; i < type.parameterCount(); i++) {
            if (type.parameterType(i) == EVENT_ARRAY) {
                type = type.changeParameterType(i, Object.class);
            }
        }
        return handle.asType(type.returnType() == EVENT_ARRAY ? type.changeReturnType(Object.class) : type);
    }

    /**
     * Netty's kqueue constants. Netty reads them from its native library, so they live apart from the handles:
     * the bridge itself initialises without the library (a test checks on any OS that every member it names
     * exists), and these are read when {@code KqueueTransport} initialises, which only a provider that found
     * {@code KQueue.isAvailable()} makes happen.
     */
    static final class Kevent {
        /** The read filter: readable, a pending connection, or end of stream. */
        static final short EVFILT_READ = nativeShort("EVFILT_READ");
        /** The write filter: writable, a finished connect, or the peer gone. */
        static final short EVFILT_WRITE = nativeShort("EVFILT_WRITE");
        /** A change that adds (or updates) a filter. */
        static final short EV_ADD = nativeShort("EV_ADD");
        /** Edge-triggered: the filter's state resets once it is reported. */
        static final short EV_CLEAR = nativeShort("EV_CLEAR");
        /** End of file on the filter (peer closed, or an error in {@code fflags}). */
        static final short EV_EOF = nativeShort("EV_EOF");
        /** A change failed; {@code data} holds the errno. */
        static final short EV_ERROR = nativeShort("EV_ERROR");

        private Kevent() {
        }

        private static short nativeShort(String name) {
            return (short) resolve(() -> NETTY.findStaticVarHandle(NATIVE, name, short.class)).get();
        }
    }
}
