package io.greenloop;

import io.greenloop.internal.SafeLog;
import io.greenloop.net.GroupServer;
import io.greenloop.net.StreamServer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One loop per core, Netty's {@code EventLoopGroup}: N platform threads, each owning one {@link Loop} that
 * runs until {@link #close()}. Work goes to a loop with {@link #submit} or {@link #execute} (round robin)
 * or to a chosen one through {@link #loops()}; inside a group's greenlets {@code Green.*} acts on that
 * greenlet's own loop. {@link #serve} and {@link #serveTls} run one TCP server, a {@link GroupServer}, across every
 * loop: on Linux (epoll and nio) with a listener per loop on the same port ({@code SO_REUSEPORT}), which the kernel
 * balances over them; elsewhere (macOS accepts {@code SO_REUSEPORT} but does not balance it) with one acceptor
 * thread that runs nothing else and hands each accepted connection to the next loop, where it is registered and used
 * only. Either way no loop accepts for another, so a stalled loop delays only the connections it serves itself.
 * {@link #close(Duration)} stops every server gracefully before it ends the loops: a shutdown hook's call.
 *
 * <p>A loop whose thread fails is logged to {@code System.Logger} "io.greenloop.LoopGroup" at once and its failure
 * rethrown by {@link #close()}; the other loops keep running.
 *
 * <p>An {@link Executor}, so JDK code can hand it work: {@code CompletableFuture.supplyAsync(body, group)} runs
 * {@code body} as a callback on one of its loops (spawn a greenlet there for work that waits).
 *
 * <p>Thread rule: every method is thread-safe.
 */
public final class LoopGroup implements AutoCloseable, Executor {

    private static final AtomicInteger GROUPS = new AtomicInteger();
    private static final SafeLog LOG = SafeLog.of("LoopGroup");

    private final String name;
    private final List<Loop> loops;
    private final List<Thread> threads;
    private final List<Throwable> failures;
    /** The servers started on the group, stopped by {@link #close()}. */
    private final List<GroupServer> servers = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    private LoopGroup(String name, List<Loop> loops, List<Thread> threads, List<Throwable> failures) {
        this.name = name;
        this.failures = failures;
        this.loops = List.copyOf(loops);
        this.threads = List.copyOf(threads);
    }

    /**
     * Starts one loop per available processor on the default transport; returns once every loop runs.
     *
     * @return the running group
     */
    public static LoopGroup start() {
        return start(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Starts {@code loops} loops on the default transport ({@code Loop.open()}); returns once every loop runs.
     *
     * @param loops how many loops (and threads), 1 or more
     * @return the running group
     */
    public static LoopGroup start(int loops) {
        return start(loops, null);
    }

    /**
     * Starts {@code loops} loops on the named transport ({@code null}: the default), threads named
     * "LoopGroup-N-i"; returns once every loop runs. If one cannot open, those already open are closed
     * and the failure is thrown.
     *
     * @param loops how many loops (and threads), 1 or more
     * @param transport the transport name ("epoll", "kqueue", "nio")
     * @return the running group
     */
    public static LoopGroup start(int loops, String transport) {
        return start(loops, transport == null ? Loop.Options.defaults() : Loop.Options.defaults().withTransport(transport));
    }

    /**
     * Starts {@code loops} loops opened with {@code options} ({@link Loop#open(Loop.Options)}: transport, bound on
     * pending callbacks, idle strategy), threads named "LoopGroup-N-i", loop i's thread pinned to
     * {@code cpus[i % cpus.length]} (no CPU given: none pinned); returns once every loop runs. If one cannot open
     * (a CPU outside the set this process may run on, say), those already open are closed and the failure is thrown.
     *
     * @param loops   how many loops (and threads), 1 or more
     * @param options how each loop is opened; its CPU must be unset ({@link Loop.Options#UNPINNED})
     * @param cpus    the CPUs to pin the loops' threads to, in turn; none: no pinning
     * @return the running group
     * @throws IllegalArgumentException if {@code loops} is below 1, a CPU is negative, or {@code options} names a CPU
     */
    public static LoopGroup start(int loops, Loop.Options options, int... cpus) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(cpus, "cpus");
        if (loops < 1) {
            throw new IllegalArgumentException("a LoopGroup needs at least one loop, not " + loops);
        }
        if (options.cpu() != Loop.Options.UNPINNED) {
            throw new IllegalArgumentException("options.withCpu(" + options.cpu() + ") would pin every loop of the group"
                    + " to one CPU; give the group its CPUs instead: LoopGroup.start(loops, options, cpu0, cpu1, ...)");
        }
        for (int cpu : cpus) {
            if (cpu < 0) {
                throw new IllegalArgumentException("CPU " + cpu + " in " + Arrays.toString(cpus) + " is no CPU;"
                        + " give CPU numbers (0 or more), as taskset -c counts them");
            }
        }
        int[] pinned = cpus.clone();
        return start("LoopGroup-" + GROUPS.incrementAndGet(), loops,
                i -> pinned.length == 0 ? options : options.withCpu(pinned[i % pinned.length]));
    }

    /** The acceptor thread of a server across {@code group} ({@link GroupListeners}): a group of one loop on {@code transport}. */
    static LoopGroup startAcceptor(LoopGroup group, String transport) {
        Loop.Options options = transport == null ? Loop.Options.defaults() : Loop.Options.defaults().withTransport(transport);
        return start(group.name + "-acceptor", 1, i -> options);
    }

    private static LoopGroup start(String name, int loops, IntFunction<Loop.Options> optionsOfLoop) {
        List<CompletableFuture<Loop>> opened = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < loops; i++) {
            CompletableFuture<Loop> loop = new CompletableFuture<>();
            opened.add(loop);
            Loop.Options options = optionsOfLoop.apply(i);
            threads.add(Thread.ofPlatform().name(name + "-" + i).start(() -> runLoop(options, loop, failures)));
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
    private static void runLoop(Loop.Options options, CompletableFuture<Loop> opened, List<Throwable> failures) {
        Loop loop;
        try {
            loop = Loop.open(options);
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

    /**
     * How many loops the group has.
     *
     * @return how many loops the group has
     */
    public int size() {
        return loops.size();
    }

    /**
     * The loops, in thread order; hand work to one with {@link Loop#execute(Runnable)}.
     *
     * @return the loops, in thread order; hand work to one with {@link Loop#execute(Runnable)}
     */
    public List<Loop> loops() {
        return loops;
    }

    /**
     * The loop whose turn it is, round robin.
     *
     * @return the loop whose turn it is, round robin
     */
    public Loop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /**
     * Runs {@code callback} on the next loop (round robin) soon, as a callback on that loop's thread; thread-safe,
     * returns at once.
     *
     * @param callback what to run
     * @throws RejectedExecutionException once the group is closed ({@link Executor}'s contract)
     */
    @Override
    public void execute(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        if (closed) {
            throw new RejectedExecutionException("execute on " + name + ", which is closed; start a new LoopGroup");
        }
        next().execute(callback);
    }

    /**
     * Runs {@code body} in a greenlet on the next loop (round robin); returns at once with the result to
     * come, which holds what {@code body} returned or threw.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return the result to come
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
     * address (with the real port when port 0 was asked) once every listener is up. {@link #close()} stops it;
     * {@link #serve(InetSocketAddress, StreamServer.Options, StreamServer.Handler)} returns the server itself, to
     * stop it alone or gracefully and read its numbers.
     *
     * @param address where to listen (port 0: any free port)
     * @param handler runs each connection, in a greenlet of its own
     * @return the bound address
     * @throws IOException if the operation fails; the message says what failed
     */
    public InetSocketAddress serve(InetSocketAddress address, StreamServer.Handler handler) throws IOException {
        return serve(address, StreamServer.Options.defaults(), handler).address();
    }

    /**
     * Serves TCP on {@code address} across every loop of the group with {@code options} (backlog, handler limit for
     * the whole server, idle timeout; {@code reusePort} is the group's to set), running {@code handler} for each
     * connection in a greenlet on one loop; returns once every listener is up. {@link #close()} and
     * {@link #close(Duration)} stop it with the group; {@link GroupServer#stop(Duration)} stops it alone.
     *
     * @param address where to listen (port 0: any free port)
     * @param options the server's options, as for a {@link StreamServer}
     * @param handler runs each connection, in a greenlet of its own; the server closes the socket when it returns
     * @return the server, serving
     * @throws IOException if the address cannot be bound; the message says what failed
     */
    public GroupServer serve(InetSocketAddress address, StreamServer.Options options, StreamServer.Handler handler)
            throws IOException {
        return serve(address, options, handler, GroupListeners.Spread.forThisOs());
    }

    /**
     * Serves TLS on {@code address} across every loop of the group, as {@link StreamServer#tls}: each connection's
     * handshake runs in its greenlet under {@link StreamServer.Options#handshakeTimeout()}, then {@code handler}
     * runs; a failed handshake (a plain-text client, an untrusted peer, a timeout) is one DEBUG line and closes that
     * connection only. Returns once every listener is up.
     *
     * @param address where to listen (port 0: any free port)
     * @param context the TLS configuration: keys, certificates, trust
     * @param options the server's options, as for a {@link StreamServer}
     * @param handler runs each connection after its handshake, in a greenlet of its own
     * @return the server, serving
     * @throws IOException if the address cannot be bound; the message says what failed
     */
    public GroupServer serveTls(InetSocketAddress address, SSLContext context, StreamServer.Options options,
                                StreamServer.TlsHandler handler) throws IOException {
        Objects.requireNonNull(context, "context");
        return serveTls(address, GroupListeners.serverEngines(context), options, handler);
    }

    /**
     * {@link #serveTls(InetSocketAddress, SSLContext, StreamServer.Options, StreamServer.TlsHandler)} with engines
     * from {@code engines}, one per connection, set up by the caller (another provider, ALPN, client authentication).
     *
     * @param address where to listen (port 0: any free port)
     * @param engines makes the server-side engine of each connection
     * @param options the server's options, as for a {@link StreamServer}
     * @param handler runs each connection after its handshake, in a greenlet of its own
     * @return the server, serving
     * @throws IOException if the address cannot be bound; the message says what failed
     */
    public GroupServer serveTls(InetSocketAddress address, Supplier<SSLEngine> engines, StreamServer.Options options,
                                StreamServer.TlsHandler handler) throws IOException {
        Objects.requireNonNull(options, "options");
        return serve(address, options, GroupListeners.tls(engines, handler, options.handshakeTimeout()));
    }

    /** {@link #serve(InetSocketAddress, StreamServer.Options, StreamServer.Handler)} spread as asked, whatever this OS would choose: tests run both ways. */
    GroupServer serve(InetSocketAddress address, StreamServer.Options options, StreamServer.Handler handler,
                      GroupListeners.Spread spread) throws IOException {
        checkOpen("serve");
        GroupServer server = GroupListeners.start(this, spread, address, options, handler);
        servers.add(server);
        if (closed) {  // a close() that began meanwhile did not see it
            server.close();
            checkOpen("serve");
        }
        return server;
    }

    /** {@link #serve(InetSocketAddress, StreamServer.Handler)} spread as asked: tests run both ways. */
    InetSocketAddress serve(InetSocketAddress address, StreamServer.Handler handler, GroupListeners.Spread spread) throws IOException {
        return serve(address, StreamServer.Options.defaults(), handler, spread).address();
    }

    /** Whether {@link #close()} has begun. */
    boolean isClosed() {
        return closed;
    }

    private void checkOpen(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + " on " + name + ", which is closed; start a new LoopGroup");
        }
    }

    /**
     * Stops the servers, kills the greenlets (each gets {@link GreenletExit} and its loop's grace to finish),
     * ends the threads and waits for every one of them: {@link #close(Duration)} without grace. A loop that failed
     * is rethrown here, as an {@link IllegalStateException} with the failures of the others suppressed. Idempotent;
     * not from the group's own threads, which it would wait for.
     */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Stops every server started on the group with {@code grace}, all at once ({@link GroupServer#stop(Duration)}:
     * no more accepting, handlers finish within the grace, then are killed), then kills the greenlets left, ends the
     * threads and waits for every one of them. For a shutdown hook. Not from the group's own threads.
     *
     * @param grace how long handlers may go on; {@code null}: no limit; zero or less: kill them at once
     */
    public void close(Duration grace) {
        if (threads.contains(Thread.currentThread()) || (Strand.current() != null && loops.contains(Strand.current().loop))) {
            throw new IllegalStateException("close() was called inside " + name + ", which would wait for its own thread;"
                    + " call it from another thread");
        }
        closed = true;
        stopServers(grace);
        for (Loop loop : loops) {
            try {
                loop.handOff(loop::stop);  // after what is queued already, such as a connection handed over
            } catch (RejectedExecutionException closedAlready) {
                loop.stop();
            }
        }
        boolean interrupted = false;
        for (Thread thread : threads) {
            interrupted |= awaitUninterruptibly(thread::join);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        reportFailures();
    }

    /** Stops every server on the group with {@code grace}, all at the same time: each on a thread of its own. */
    private void stopServers(Duration grace) {
        List<Thread> stopping = new ArrayList<>();
        for (GroupServer server : servers) {
            stopping.add(Thread.ofPlatform().name(name + "-stopping-" + server.name()).start(() -> {
                try {
                    server.stop(grace);
                } catch (RuntimeException | Error e) {
                    failures.add(e);
                }
            }));
        }
        boolean interrupted = false;
        for (Thread thread : stopping) {
            interrupted |= awaitUninterruptibly(thread::join);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
