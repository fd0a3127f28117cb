package io.greenloop.net;

import io.greenloop.AsyncResult;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.LoopGroup;
import io.greenloop.internal.Deadline;
import io.greenloop.lowlevel.LowLevel;
import io.greenloop.lowlevel.PlatformBeans;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One server across the loops of a {@link LoopGroup} ({@link LoopGroup#serve(InetSocketAddress, StreamServer.Options,
 * StreamServer.Handler)}, {@link LoopGroup#serveTls}): each connection's handler runs in a greenlet on one loop, with
 * the same options, TLS, logging and numbers as a {@link StreamServer}. Connections reach the loops either through a
 * listener per loop on one port ({@code SO_REUSEPORT}, which Linux balances) or through one acceptor thread that runs
 * nothing else and hands each connection to the next loop; either way no loop accepts for another. The handler
 * limit holds for the whole server, not per loop. Its JMX bean, {@code io.greenloop:type=Server,name=GroupServer-N},
 * is registered while it serves.
 *
 * <p>{@link #stop(Duration)} stops the accepting on every loop at once, each listener's queue drained first (a
 * connection the kernel had accepted is served, or closed cleanly when the handler limit is reached, never reset),
 * lets the handlers finish within the grace, then kills the rest; a handler sees {@link StreamServer#isStopping()}.
 *
 * <p>Thread rule: every method on any thread. {@link #stop} and {@link #close()} wait: a greenlet parks, another
 * thread (a shutdown hook) blocks; not from a loop's callback.
 */
public final class GroupServer implements AutoCloseable {

    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final String name = "GroupServer-" + SERVERS.incrementAndGet();
    private final HandlerLimit limit;
    /** The server's connections on each loop of the group. */
    private final List<ConnectionsOnLoop> parts = new ArrayList<>();
    private final List<Acceptor> acceptors = new ArrayList<>();
    /** The acceptor thread, a group of one loop; {@code null} with a listener per loop. */
    private final LoopGroup acceptorThread;
    /** The acceptor thread's own numbers (accepts, their failures); {@code null} with a listener per loop. */
    private final ServerCounters acceptorCounters;
    private final AsyncResult<Void> acceptingStopped = new AsyncResult<>();
    private final AsyncResult<Void> stopped = new AsyncResult<>();
    private volatile InetSocketAddress address;
    private volatile boolean stopping;
    private volatile PlatformBeans.Registration bean;

    private GroupServer(StreamServer.Options options, LoopGroup acceptorThread) {
        this.limit = new HandlerLimit(options.maxConcurrentHandlers());
        this.acceptorThread = acceptorThread;
        this.acceptorCounters = acceptorThread == null ? null : new ServerCounters();
    }

    /**
     * Starts serving {@code address} on {@code loops} with {@code handler} (a TLS server's handler does the handshake
     * first); through a listener per loop, or, when {@code acceptorThread} is given, through the one loop of the group
     * it makes. Returns once every listener is up. What {@link LoopGroup} calls; not from the group's own threads.
     */
    static GroupServer start(List<Loop> loops, Supplier<LoopGroup> acceptorThread, InetSocketAddress address,
                             StreamServer.Options options, StreamServer.Handler handler) throws IOException {
        GroupServer server = new GroupServer(options, acceptorThread == null ? null : acceptorThread.get());
        for (Loop loop : loops) {
            server.parts.add(new ConnectionsOnLoop(server, loop, server::stopping, handler, options.idleTimeout(), server.limit));
        }
        try {
            if (server.acceptorThread == null) {
                server.listenOnEveryLoop(address, options.withReusePort(loops.size() > 1));
            } else {
                server.listenOnAcceptorThread(address, options);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        server.bean = ServerBean.register(server.name, server, server::stats, server::activeHandlers, server.address,
                server::stopping);
        return server;
    }

    private void listenOnEveryLoop(InetSocketAddress requested, StreamServer.Options options) throws IOException {
        InetSocketAddress bound = requested;
        for (ConnectionsOnLoop part : parts) {
            InetSocketAddress at = bound;
            acceptors.add(startOn(part.loop, () -> Acceptor.start(this, at, options, part.counters, limit, part::take)));
            bound = acceptors.getFirst().address();  // the others share the first one's port
        }
        address = bound;
    }

    private void listenOnAcceptorThread(InetSocketAddress requested, StreamServer.Options options) throws IOException {
        Loop loop = acceptorThread.loops().getFirst();
        int[] next = {0};  // the acceptor's loop is the only one to touch it
        Acceptor.Sink toNextLoop = (socket, peer, serve) -> {
            ConnectionsOnLoop part = parts.get(Math.floorMod(next[0]++, parts.size()));
            try {
                socket.moveTo(part.loop, moved -> part.take(moved, peer, serve));
            } catch (IOException | RuntimeException loopClosed) {
                acceptorCounters.refused();
                if (serve) {
                    limit.release();
                }
                throw loopClosed;
            }
        };
        acceptors.add(startOn(loop, () -> Acceptor.start(this, requested, options, acceptorCounters, limit, toNextLoop)));
        address = acceptors.getFirst().address();
    }

    /** What starts an acceptor on its loop's thread. */
    @FunctionalInterface
    private interface AcceptorStart {
        Acceptor start() throws IOException;
    }

    /** Starts an acceptor on {@code loop}'s thread and waits for it to listen. */
    private static Acceptor startOn(Loop loop, AcceptorStart start) throws IOException {
        CompletableFuture<Acceptor> listening = new CompletableFuture<>();
        LowLevel.handOff(loop, () -> {
            try {
                listening.complete(start.start());
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
            if (e.getCause() instanceof RuntimeException refused) {
                throw refused;  // an option the transport refuses, say: its message says why
            }
            throw new IllegalStateException("could not start listening on " + loop, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting to listen on " + loop, e);
        }
    }

    /**
     * The address every listener is bound to, with the real port when port 0 was asked.
     *
     * @return the bound address
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * How many handlers are running now, on all the loops.
     *
     * @return the handlers running now
     */
    public int activeHandlers() {
        int running = 0;
        for (ConnectionsOnLoop part : parts) {
            running += part.handlers();
        }
        return running;
    }

    /**
     * Whether {@link #stop} has begun (or is over).
     *
     * @return whether the server is stopping or stopped
     */
    public boolean stopping() {
        return stopping;
    }

    /**
     * The server's numbers, summed over its loops (and its acceptor thread): never waits for a loop.
     *
     * @return the numbers now
     */
    public ServerStats stats() {
        ServerStats sum = acceptorCounters == null ? ServerStats.ZERO : acceptorCounters.addTo(ServerStats.ZERO);
        for (ConnectionsOnLoop part : parts) {
            sum = part.counters.addTo(sum);
        }
        return sum;
    }

    /**
     * The server's name, "GroupServer-N", N counting the group servers of this JVM: the {@code name} of its JMX bean.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Stops accepting on every loop at once (each listener's accept queue drained first: those connections are
     * served, or closed cleanly beyond the handler limit), waits up to {@code grace} for the handlers to finish,
     * then kills the rest with {@link io.greenloop.GreenletExit} and waits up to a second for them to die; returns
     * when that is done on every loop, so no later than the slowest handler (or the grace). A handler may stop its own
     * server; it is neither waited for nor killed. A second stop while one is under way ends it sooner if its grace
     * is shorter, and returns when it is over. Parks a greenlet, blocks another thread.
     *
     * @param grace how long handlers may go on; {@code null}: no limit, kill none; zero or less: kill them at once
     */
    public void stop(Duration grace) {
        Deadline deadline = Deadline.after(grace);
        Greenlet<?> caller = Green.current();
        boolean first = beginStop();
        if (first) {
            List<AsyncResult<Void>> accepting = new ArrayList<>();
            for (Acceptor acceptor : acceptors) {
                accepting.add(LowLevel.runOn(acceptor.loop(), acceptor::stopAccepting, false));
            }
            awaitAll(accepting);
            acceptingStopped.set(null);
        } else {
            await(acceptingStopped);
        }
        List<AsyncResult<Void>> finished = new ArrayList<>();
        for (ConnectionsOnLoop part : parts) {
            finished.add(LowLevel.runOn(part.loop, () -> part.finish(deadline, caller), true));
        }
        awaitAll(finished);
        if (first) {
            end();
        } else {
            await(stopped);
        }
    }

    private synchronized boolean beginStop() {
        if (stopping) {
            return false;
        }
        stopping = true;
        return true;
    }

    /** After the handlers: the acceptor thread ends (off the caller's thread, which may be a loop), the bean goes. */
    private void end() {
        try {
            if (acceptorThread != null) {
                AsyncResult<Void> closed = new AsyncResult<>();
                Thread.ofPlatform().name(name + "-closing-acceptor").start(() -> {
                    try {
                        acceptorThread.close();
                        closed.set(null);
                    } catch (Throwable e) {
                        closed.setException(e);
                    }
                });
                await(closed);
            }
        } finally {
            if (bean != null) {
                bean.unregister();
            }
            stopped.set(null);
        }
    }

    private static void awaitAll(List<AsyncResult<Void>> results) {
        RuntimeException failure = null;
        for (AsyncResult<Void> result : results) {
            try {
                await(result);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void await(AsyncResult<Void> result) {
        try {
            result.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("stopping a GroupServer failed on a loop", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping a GroupServer", e);
        }
    }

    /** Stops at once: {@link #stop(Duration)} with no grace. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    @Override
    public String toString() {
        return name + "[" + address + ", " + parts.size() + " loops" + (stopping ? ", stopping]" : "]");
    }
}
