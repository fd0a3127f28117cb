package io.greenloop;

import io.greenloop.internal.SafeLog;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loop per core, Netty's {@code EventLoopGroup}: N platform threads, each owning one {@link Loop} that
 * runs until {@link #close()}. Work goes to a loop with {@link #submit} or {@link #execute} (round robin)
 * or to a chosen one through {@link #loops()}; inside a group's greenlets {@code Green.*} acts on that
 * greenlet's own loop. {@link #serve} runs one TCP server across every loop: with a listener per loop on
 * the same port ({@code SO_REUSEPORT}) on the epoll transport, where Linux balances connections over them;
 * elsewhere (nio, kqueue: macOS accepts {@code SO_REUSEPORT} but does not balance) with one acceptor on the
 * first loop that hands each accepted connection to the next loop, where it is registered and used only
 * (so there a stalled first loop holds up new connections, as a stalled boss loop does in Netty; the
 * connections the other loops serve go on).
 *
 * <p>A loop whose thread fails is logged to {@code System.Logger} "io.greenloop.LoopGroup" at once and its failure
 * rethrown by {@link #close()}; the other loops keep running.
 *
 * <p>Thread rule: every method is thread-safe.
 */
public final class LoopGroup implements AutoCloseable {

    private static final AtomicInteger GROUPS = new AtomicInteger();
    private static final SafeLog LOG = SafeLog.of("LoopGroup");
    /** The transport whose {@code SO_REUSEPORT} listeners the kernel balances (Linux); the others get an acceptor. */
    private static final String BALANCING_TRANSPORT = "epoll";
    /** How often close() looks whether a loop it waits for has lost its thread (then it stops waiting for it). */
    private static final long THREAD_CHECK_MILLIS = 100;

    private final String name;
    private final List<Loop> loops;
    private final List<Thread> threads;
    private final List<Throwable> failures;
    private final List<Served> servers = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    /** A server started on one loop of the group, stopped by {@link #close()}. */
    private record Served(Loop loop, StreamServer server) { }

    private LoopGroup(String name, List<Loop> loops, List<Thread> threads, List<Throwable> failures) {
        this.name = name;
        this.failures = failures;
        this.loops = List.copyOf(loops);
        this.threads = List.copyOf(threads);
    }

    /** Starts one loop per available processor on the default transport; returns once every loop runs. */
    public static LoopGroup start() {
        return start(Runtime.getRuntime().availableProcessors());
    }

    /** Starts {@code loops} loops on the default transport ({@code Loop.open()}); returns once every loop runs. */
    public static LoopGroup start(int loops) {
        return start(loops, null);
    }

    /**
     * Starts {@code loops} loops on the named transport ({@code null}: the default), threads named
     * "LoopGroup-N-i"; returns once every loop runs. If one cannot open, those already open are closed
     * and the failure is thrown.
     */
    public static LoopGroup start(int loops, String transport) {
        if (loops < 1) {
            throw new IllegalArgumentException("a LoopGroup needs at least one loop, not " + loops);
        }
        String name = "LoopGroup-" + GROUPS.incrementAndGet();
        List<CompletableFuture<Loop>> opened = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < loops; i++) {
            CompletableFuture<Loop> loop = new CompletableFuture<>();
            opened.add(loop);
            threads.add(Thread.ofPlatform().name(name + "-" + i).start(() -> runLoop(transport, loop, failures)));
        }
        List<Loop> started = new ArrayList<>();
        RuntimeException failure = null;
        for (CompletableFuture<Loop> loop : opened) {
            try {
                started.add(loop.join());
            } catch (RuntimeException e) {
                failure = failure == null ? new IllegalStateException("could not start " + name, e.getCause()) : failure;
            }
        }
        if (failure != null) {
            started.forEach(Loop::stop);
            threads.forEach(thread -> awaitUninterruptibly(thread::join));
            throw failure;
        }
        return new LoopGroup(name, started, threads, failures);
    }

    /** The body of each loop thread: open, run until stopped, close (which kills what is left). */
    private static void runLoop(String transport, CompletableFuture<Loop> opened, List<Throwable> failures) {
        Loop loop;
        try {
            loop = transport == null ? Loop.open() : Loop.open(transport);
        } catch (Throwable e) {
            opened.completeExceptionally(e);
            return;
        }
        opened.complete(loop);
        try {
            loop.runForever();
        } catch (Throwable e) {
            failures.add(e);
            LOG.log(System.Logger.Level.ERROR, loop + " of a LoopGroup failed; the group's other loops keep running", e);
        } finally {
            loop.close();
        }
    }

    /** How many loops the group has. */
    public int size() {
        return loops.size();
    }

    /** The loops, in thread order; hand work to one with {@link Loop#execute(Runnable)}. */
    public List<Loop> loops() {
        return loops;
    }

    /** The loop whose turn it is, round robin. */
    public Loop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /** Runs {@code callback} on the next loop (round robin) soon; thread-safe, returns at once. */
    public void execute(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        checkOpen("execute");
        next().execute(callback);
    }

    /**
     * Runs {@code body} in a greenlet on the next loop (round robin); returns at once with the result to
     * come, which holds what {@code body} returned or threw.
     */
    public <T> AsyncResult<T> submit(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        checkOpen("submit");
        AsyncResult<T> result = new AsyncResult<>();
        Loop loop = next();
        loop.execute(() -> loop.spawn(() -> {
            try {
                result.set(body.call());
            } catch (Throwable e) {
                result.setException(e);
                if (e instanceof Error error) {
                    throw error;  // a kill (GreenletExit) or a VM error still ends the greenlet as such
                }
            }
        }));
        return result;
    }

    /**
     * Serves TCP on {@code address} across every loop of the group, running {@code handler} for each connection
     * in a greenlet on one loop (see the class comment for how connections are spread); returns the bound
     * address (with the real port when port 0 was asked) once every listener is up. {@link #close()} stops it.
     */
    public InetSocketAddress serve(InetSocketAddress address, StreamServer.Handler handler) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        checkOpen("serve");
        Loop first = loops.getFirst();
        if (!first.transport().equals(BALANCING_TRANSPORT)) {
            return startServer(first, address, (socket, peer) -> handOff(socket, peer, handler), false);
        }
        InetSocketAddress bound = startServer(first, address, handler, true);
        for (Loop loop : loops.subList(1, loops.size())) {
            startServer(loop, bound, handler, true);
        }
        return bound;
    }

    /** The acceptor's handler: serves the connection here when it is this loop's turn, else moves it there. */
    private void handOff(TcpSocket socket, InetSocketAddress peer, StreamServer.Handler handler) throws Exception {
        Loop target = next();
        if (target == Loop.current()) {
            handler.handle(socket, peer);
            return;
        }
        try {
            socket.handOff(target, handler);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
            // The group is closing and the target loop is gone: the connection is closed, as close() would have.
        }
    }

    /** Starts a server on {@code loop}'s thread and waits for it to listen; returns its bound address. */
    private InetSocketAddress startServer(Loop loop, InetSocketAddress address, StreamServer.Handler handler,
                                          boolean reusePort) throws IOException {
        StreamServer server = new StreamServer(address, handler, StreamServer.Options.defaults().withReusePort(reusePort));
        CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                server.start();
                servers.add(new Served(loop, server));
                listening.complete(server.address());
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

    private void checkOpen(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + " on " + name + ", which is closed; start a new LoopGroup");
        }
    }

    /**
     * Stops the servers, kills the greenlets (each gets {@link GreenletExit} and its loop's grace to finish),
     * ends the threads and waits for every one of them. A loop that failed is rethrown here, as an
     * {@link IllegalStateException} with the failures of the others suppressed. Idempotent; not from the
     * group's own threads, which it would wait for.
     */
    @Override
    public void close() {
        if (threads.contains(Thread.currentThread()) || (Strand.current() != null && loops.contains(Strand.current().loop))) {
            throw new IllegalStateException("close() was called inside " + name + ", which would wait for its own thread;"
                    + " call it from another thread");
        }
        closed = true;
        // Servers first, on every loop, so that no acceptor hands a connection to a loop that is ending.
        List<CountDownLatch> serversStopped = new ArrayList<>();
        for (Loop loop : loops) {
            serversStopped.add(stopServers(loop));
        }
        boolean interrupted = false;
        for (int i = 0; i < loops.size(); i++) {
            Thread thread = threads.get(i);
            CountDownLatch stopped = serversStopped.get(i);
            // A loop whose thread died never runs the stop; its servers went with it.
            interrupted |= awaitUninterruptibly(() -> {
                while (!stopped.await(THREAD_CHECK_MILLIS, TimeUnit.MILLISECONDS)) {
                    if (!thread.isAlive()) {
                        return;
                    }
                }
            });
        }
        for (Loop loop : loops) {
            try {
                loop.execute(loop::stop);  // after what is queued already, such as a connection handed over
            } catch (RejectedExecutionException closedAlready) {
                loop.stop();
            }
        }
        for (Thread thread : threads) {
            interrupted |= awaitUninterruptibly(thread::join);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        reportFailures();
    }

    /** Stops the loop's servers in a greenlet (stopping parks); the latch says when that is done. */
    private CountDownLatch stopServers(Loop loop) {
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            loop.execute(() -> loop.spawn(() -> {
                try {
                    for (Served served : servers) {
                        if (served.loop() == loop) {
                            served.server().close();
                        }
                    }
                } finally {
                    stopped.countDown();
                }
            }));
        } catch (RuntimeException closedAlready) {
            stopped.countDown();
        }
        return stopped;
    }

    /** What close() waits for: a join, a latch. */
    @FunctionalInterface
    private interface Wait {
        void await() throws InterruptedException;
    }

    /** Waits to the end even when interrupted (close() must not leave threads behind); returns whether it was. */
    private static boolean awaitUninterruptibly(Wait wait) {
        boolean interrupted = false;
        while (true) {
            try {
                wait.await();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    private void reportFailures() {
        if (failures.isEmpty()) {
            return;
        }
        IllegalStateException failed = new IllegalStateException(failures.size() + " loop(s) of " + name + " failed",
                failures.getFirst());
        failures.subList(1, failures.size()).forEach(failed::addSuppressed);
        failures.clear();
        throw failed;
    }

    @Override
    public String toString() {
        return name + "[" + loops.size() + " loops" + (closed ? ", closed]" : "]");
    }
}
