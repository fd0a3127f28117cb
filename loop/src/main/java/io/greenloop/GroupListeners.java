package io.greenloop;

import io.greenloop.net.GroupServer;
import io.greenloop.net.StreamServer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

import static java.lang.invoke.MethodType.methodType;

/**
 * How one server across a {@link LoopGroup}'s loops gets its connections to them, in one of two ways
 * ({@link Spread}): a listener on every loop, or one acceptor thread that hands them out. Either way no loop
 * accepts for another, so a loop that is blocked delays only the connections it serves itself. The one piece
 * that chooses the spread for {@link LoopGroup#serve} and {@link LoopGroup#serveTls}, and the door to what serves:
 * {@link GroupServer}'s factory and the TLS handshake wrapper of {@code io.greenloop.net}, which keeps them
 * package-private (as {@code io.greenloop.lowlevel.LowLevel} reaches the loop's), through a private lookup in this
 * module held in {@code static final} handles.
 *
 * <p>Thread rule: {@link #start} from any thread but the group's own (it waits for each loop to listen).
 */
final class GroupListeners {

    /** How connections reach the loops. */
    enum Spread {
        /** A listener per loop on one port ({@code SO_REUSEPORT}), which the kernel balances over them (Linux). */
        LISTENER_PER_LOOP,
        /**
         * One listener on a thread of its own that runs nothing else, handing each connection to the next loop
         * (round robin), where it is registered and used only: for kernels that accept {@code SO_REUSEPORT} but
         * do not balance it (macOS, so kqueue and nio there) or lack it.
         */
        ACCEPTOR_THREAD;

        /** The spread for this machine: listeners per loop where the kernel balances them (Linux), else an acceptor thread. */
        static Spread forThisOs() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            return os.startsWith("linux") ? LISTENER_PER_LOOP : ACCEPTOR_THREAD;
        }
    }

    private static final MethodHandle START;
    private static final MethodHandle TLS_HANDLER;
    private static final MethodHandle SERVER_ENGINES;

    static {
        try {
            MethodHandles.Lookup net = MethodHandles.privateLookupIn(GroupServer.class, MethodHandles.lookup());
            START = net.findStatic(GroupServer.class, "start", methodType(GroupServer.class, List.class, Supplier.class,
                    InetSocketAddress.class, StreamServer.Options.class, StreamServer.Handler.class));
            TLS_HANDLER = net.findStatic(net.findClass("io.greenloop.net.TlsServing"), "handler", methodType(
                    StreamServer.Handler.class, Supplier.class, StreamServer.TlsHandler.class, Duration.class));
            SERVER_ENGINES = net.findStatic(net.findClass("io.greenloop.net.TlsServing"), "serverEngines",
                    methodType(Supplier.class, SSLContext.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private GroupListeners() {
    }

    /**
     * Starts serving {@code address} for {@code group}, spread as {@code spread} (a group of one loop always has its
     * one listener), each connection served by {@code handler} in a greenlet on one loop of the group; returns once
     * every listener is up.
     */
    static GroupServer start(LoopGroup group, Spread spread, InetSocketAddress address, StreamServer.Options options,
                             StreamServer.Handler handler) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        List<Loop> loops = group.loops();
        Supplier<LoopGroup> acceptorThread = spread == Spread.LISTENER_PER_LOOP || loops.size() == 1 ? null
                : () -> LoopGroup.startAcceptor(group, loops.getFirst().transport());
        try {
            return (GroupServer) START.invokeExact(loops, acceptorThread, address, options, handler);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not start serving " + address + " on " + group, e);
        }
    }

    /** Server-side engines from {@code context}, one per connection, as {@code StreamServer.tls} makes them. */
    @SuppressWarnings("unchecked")
    static Supplier<SSLEngine> serverEngines(SSLContext context) {
        try {
            return (Supplier<SSLEngine>) SERVER_ENGINES.invokeExact(context);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not make engines from " + context, e);
        }
    }

    /** {@code handler} behind a TLS handshake with an engine from {@code engines}, as {@code StreamServer.tls} serves. */
    static StreamServer.Handler tls(Supplier<SSLEngine> engines, StreamServer.TlsHandler handler, Duration handshakeTimeout) {
        Objects.requireNonNull(engines, "engines");
        Objects.requireNonNull(handler, "handler");
        try {
            return (StreamServer.Handler) TLS_HANDLER.invokeExact(engines, handler, handshakeTimeout);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not wrap a TLS handler", e);
        }
    }
}
