package io.greenloop;

import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * How one server across a {@link LoopGroup}'s loops gets its connections to them, in one of two ways
 * ({@link Spread}): a listener on every loop, or one acceptor thread that hands them out. Either way no loop
 * accepts for another, so a loop that is blocked delays only the connections it serves itself. The one piece
 * that chooses and starts the listeners, for {@link LoopGroup#serve} and whatever else serves across a group.
 *
 * <p>Thread rule: {@link #start} and {@link #closeAcceptor()} from any thread but the group's own (they wait for
 * a loop); {@link #closeOn} on the loop it names, in a greenlet.
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

    /** A server on one of the group's loops. */
    private record Served(Loop loop, StreamServer server) { }

    private final List<Served> servers;
    /** The acceptor thread, as a group of one loop; {@code null} with listeners per loop. */
    private final LoopGroup acceptor;
    private final InetSocketAddress address;

    private GroupListeners(List<Served> servers, LoopGroup acceptor, InetSocketAddress address) {
        this.servers = servers;
        this.acceptor = acceptor;
        this.address = address;
    }

    /**
     * Starts listening on {@code address} for {@code group}, spread as {@code spread} (a group of one loop always
     * has its one listener), each connection served by {@code handler} in a greenlet on one loop of the group;
     * returns once every listener is up.
     */
    static GroupListeners start(LoopGroup group, Spread spread, InetSocketAddress address, StreamServer.Options options,
                                StreamServer.Handler handler) throws IOException {
        List<Loop> loops = group.loops();
        if (spread == Spread.LISTENER_PER_LOOP || loops.size() == 1) {
            StreamServer.Options each = options.withReusePort(loops.size() > 1);
            List<Served> servers = new ArrayList<>();
            InetSocketAddress bound = address;
            try {
                for (Loop loop : loops) {
                    servers.add(startServer(loop, bound, each, handler));
                    bound = servers.getFirst().server().address();  // the others share the first one's port
                }
            } catch (IOException | RuntimeException e) {
                for (Served served : servers) {
                    try {
                        served.loop().handOff(() -> served.loop().spawn(served.server()::close));
                    } catch (RejectedExecutionException loopClosed) {
                        // A loop that closed took its server with it.
                    }
                }
                throw e;
            }
            return new GroupListeners(List.copyOf(servers), null, bound);
        }
        LoopGroup acceptor = LoopGroup.startAcceptor(group, loops.getFirst().transport());
        try {
            InetSocketAddress bound = acceptor.serve(address, (socket, peer) -> handToNextLoop(group, socket, handler),
                    Spread.LISTENER_PER_LOOP);
            return new GroupListeners(List.of(), acceptor, bound);
        } catch (IOException | RuntimeException e) {
            acceptor.close();
            throw e;
        }
    }

    /** The acceptor thread's handler: moves the connection to the next loop of the group, where {@code handler} serves it. */
    private static void handToNextLoop(LoopGroup group, TcpSocket socket, StreamServer.Handler handler) throws IOException {
        try {
            socket.handOff(group.next(), handler);
        } catch (RejectedExecutionException e) {
            if (!group.isClosed()) {
                throw e;
            }
            // The group is closing and the target loop is gone: the connection is closed, as close() would have.
        }
    }

    /** Starts a server on {@code loop}'s thread and waits for it to listen. */
    private static Served startServer(Loop loop, InetSocketAddress address, StreamServer.Options options,
                                      StreamServer.Handler handler) throws IOException {
        StreamServer server = new StreamServer(address, handler, options);
        CompletableFuture<Served> listening = new CompletableFuture<>();
        loop.handOff(() -> {
            try {
                server.start();
                listening.complete(new Served(loop, server));
            } catch (Throwable e) {
                listening.completeExceptionally(e);
            }
        });
        try {
            return listening.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("could not start a server for " + address + " on " + loop, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a server for " + address + " on " + loop, e);
        }
    }

    /** The address every listener is bound to, with the real port when port 0 was asked. */
    InetSocketAddress address() {
        return address;
    }

    /** Stops the acceptor thread, if there is one, and waits for it: no connection is handed to a loop after this. */
    void closeAcceptor() {
        if (acceptor != null) {
            acceptor.close();
        }
    }

    /** Closes the listener on {@code loop}, if it has one, killing the handlers it runs there. On that loop, in a greenlet. */
    void closeOn(Loop loop) {
        for (Served served : servers) {
            if (served.loop() == loop) {
                served.server().close();
            }
        }
    }
}
