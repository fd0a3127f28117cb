package io.greenloop;

import io.greenloop.internal.Deadline;
import io.greenloop.internal.TimerHeap;
import io.greenloop.spi.Transport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A single-threaded event loop, gevent's hub: it belongs to the thread that opened it and schedules that
 * thread's greenlets. One iteration ({@link #runOnce(boolean)}) has four phases, as in libuv:
 * <ol>
 *   <li>run the timers whose deadline has passed;</li>
 *   <li>run the ready queue: callbacks and greenlets to resume, FIFO, in passes that each run what was queued
 *       when the pass began and nothing newer (so {@code sleep()} is fair), bounded in count and time so that a
 *       flood of {@link #execute(Runnable)} cannot starve timers and I/O;</li>
 *   <li>poll the transport: without waiting when work is ready or nothing at all is pending, else until the
 *       next timer, else without limit; {@link #execute(Runnable)} from another thread cuts it short. Under a
 *       spinning {@link IdleStrategy} the poll looks again and again without waiting instead, until one of those
 *       comes ({@code IdlePoll});</li>
 *   <li>dispatch readiness: each ready handle wakes the greenlets parked on it.</li>
 * </ol>
 * The loop is alive while a greenlet can run, a timer is armed, an I/O or cross-thread wait is parked, or
 * cross-thread work (a thread-pool task, a child process) is outstanding. Failures of callbacks and greenlets go to
 * the {@link ErrorHandler} and the loop goes on; fatal ones ({@link VirtualMachineError}) are rethrown on the owner
 * thread by whatever drives the loop, which stays usable.
 *
 * <p>Thread rule: {@link #execute(Runnable)}, {@link #stop()} and {@link #stats()} on any thread; every other
 * method on the owner thread or inside one of this loop's greenlets, else it throws
 * {@link IllegalStateException} naming the owner.
 */
public final class Loop implements Executor, AutoCloseable {

    /** How long {@link #close()} lets killed greenlets run their {@code finally} blocks before it gives up on them. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    /** What a loop does with a failure that reached it, a greenlet's or a callback's; fatal errors never come here. */
    @FunctionalInterface
    public interface ErrorHandler {
        /**
         * Called on the loop thread; must not block.
         * @param greenlet the greenlet that failed, or {@code null} for a callback
         * @param error what it threw
         */
        void handle(Greenlet<?> greenlet, Throwable error);
    }

    private final Transport transport;
    private final Options options;
    private final IdlePoll idlePoll;
    /** What other threads touch; every other field is the owner's (Tokio keeps the two apart as Shared and Core). */
    private final LoopShared shared;
    private final TimerHeap timers = new TimerHeap();
    final ReadyQueue readyQueue;
    /** Why the loop is alive; {@link Waiter} and {@link Greenlet} report to it. */
    final Liveness liveness;
    final GreenletScheduler scheduler;
    final LoopThread thread;
    final SocketBudget budget = new SocketBudget();
    final LoopErrors errors = new LoopErrors();
    final LoopStats stats;

    private Loop(OwnerSetup setup, Options options) {
        Thread owner = Thread.currentThread();
        this.transport = setup.transport();
        this.options = options;
        this.shared = new LoopShared(transport, options.maxPendingCallbacks());
        this.idlePoll = new IdlePoll(options.idleStrategy(), transport, shared);
        this.readyQueue = new ReadyQueue(this, shared, options.maxPendingCallbacks());
        this.liveness = new Liveness(timers, shared);
        this.scheduler = new GreenletScheduler(this, shared);
        this.thread = new LoopThread(this, owner, setup.pin(), liveness, shared);
        this.stats = new LoopStats(this, owner, shared, liveness, timers);
    }

    /** {@return a new loop for the calling thread on the best transport here (epoll, kqueue, nio), or on -Dgreenloop.transport} */
    public static Loop open() {
        return open(Options.defaults());
    }

    /**
     * Opens a loop for the calling thread on the named transport; an unknown or unavailable one throws
     * {@link IllegalArgumentException} naming those that are available.
     *
     * @param transport the transport name ("epoll", "kqueue", "nio")
     * @return the calling thread's new loop
     */
    public static Loop open(String transport) {
        Objects.requireNonNull(transport, "transport");
        return open(Options.defaults().withTransport(transport));
    }

    /**
     * Opens a loop for the calling thread with {@code options}. The calling thread must not have a loop yet.
     *
     * @param options its transport ({@link #open(String)}'s rule), its bound on pending callbacks, its idle strategy
     *                and the CPU to pin the calling thread to
     * @return the calling thread's new loop
     * @throws IllegalArgumentException      if the transport is not available here, or the CPU is outside the set
     *                                       this process may run on
     * @throws IllegalStateException         if the calling thread has a loop already, or a CPU is asked and the
     *                                       calling thread is a virtual thread
     * @throws UnsupportedOperationException if a CPU is asked on an OS where greenloop cannot pin threads
     */
    public static Loop open(Options options) {
        Loop loop = new Loop(OwnerSetup.forCurrentThread(Objects.requireNonNull(options, "options")), options);
        loop.thread.ownerStrand.bindToCurrentThread();
        loop.stats.register();
        return loop;
    }

    /**
     * How a loop is opened ({@link Loop#open(Options)}): start from {@link #defaults()} and change what you need with
     * the {@code with...} copies; a component added later keeps the constructors there are.
     *
     * @param transport           the transport's name ({@code "epoll"}, {@code "kqueue"}, {@code "nio"}), or {@code null}
     *                            for the best one here (or {@code -Dgreenloop.transport})
     * @param maxPendingCallbacks how many callbacks from {@link Loop#execute(Runnable)} other threads may have pending;
     *                            one more is refused with {@link RejectedExecutionException}. Users' callbacks only: the
     *                            JDK's and greenloop's own wake-ups are never refused
     * @param idleStrategy        what the loop does in its poll when nothing is ready: {@link IdleStrategy#block()} by
     *                            default; {@link IdleStrategy#spin()} answers sooner and burns a core
     * @param cpu                 the CPU the owner thread (and so every greenlet of the loop) is pinned to while the loop
     *                            is open, or {@link #UNPINNED}; Linux only ({@code sched_setaffinity}), a platform thread only
     */
    public record Options(String transport, int maxPendingCallbacks, IdleStrategy idleStrategy, int cpu) {

        /** No bound on pending callbacks (the heap is the limit). */
        public static final int UNLIMITED = Integer.MAX_VALUE;
        /** No CPU: the owner thread runs wherever the OS schedules it. */
        public static final int UNPINNED = -1;

        /** Checks the values. */
        public Options {
            if (transport != null && transport.isBlank()) {
                throw new IllegalArgumentException("the transport name is blank; name one of " + availableTransports()
                        + ", or use null for the best one here");
            }
            if (maxPendingCallbacks < 1) {
                throw new IllegalArgumentException("maxPendingCallbacks " + maxPendingCallbacks
                        + " would refuse every callback from another thread; use at least 1, or Options.UNLIMITED");
            }
            Objects.requireNonNull(idleStrategy, "idleStrategy");
            if (cpu < UNPINNED) {
                throw new IllegalArgumentException("cpu " + cpu + " is no CPU; give a CPU number (0 or more), or Options.UNPINNED");
            }
        }

        /** {@return the best transport here, no bound on pending callbacks, blocking when idle, no CPU pinned} */
        public static Options defaults() {
            return new Options(null, UNLIMITED, IdleStrategy.block(), UNPINNED);
        }

        /**
         * {@return a copy with the named transport, which {@link Loop#open(Options)} refuses if not available here}
         * @param name the transport's name
         */
        public Options withTransport(String name) {
            return new Options(Objects.requireNonNull(name, "name"), maxPendingCallbacks, idleStrategy, cpu);
        }

        /**
         * {@return a copy with at most {@code n} callbacks from other threads pending}
         * @param n the bound; {@link #UNLIMITED}: none
         */
        public Options withMaxPendingCallbacks(int n) {
            return new Options(transport, n, idleStrategy, cpu);
        }

        /**
         * {@return a copy with another idle strategy ({@link IdleStrategy} says what each costs)}
         * @param strategy what the loop does in its poll when nothing is ready
         */
        public Options withIdleStrategy(IdleStrategy strategy) {
            return new Options(transport, maxPendingCallbacks, Objects.requireNonNull(strategy, "strategy"), cpu);
        }

        /**
         * {@return a copy with the owner thread pinned to {@code cpu} while the loop is open} {@link Loop#open(Options)}
         * refuses it on an OS other than Linux, on a virtual thread, and for a CPU outside the set this process may
         * run on ({@code taskset}, a cgroup's cpuset). A {@link LoopGroup} takes its CPUs in
         * {@link LoopGroup#start(int, Options, int...)} instead.
         *
         * @param cpu the CPU number as {@code taskset -c} counts them; {@link #UNPINNED}: not pinned
         */
        public Options withCpu(int cpu) {
            return new Options(transport, maxPendingCallbacks, idleStrategy, cpu);
        }
    }

    /** {@return the names of the transports that work on this machine, best first} */
    public static List<String> availableTransports() {
        return TransportSelection.availableNames();
    }

    /** {@return the calling thread's loop: the one it opened, the one of the greenlet it is, or a new default one} */
    public static Loop current() {
        return Strand.resolve().loop;
    }

    /** The options the loop was opened with; any thread. */
    Options options() {
        return options;
    }

    /** {@return the name of the transport in use} */
    public String transport() {
        return transport.name();
    }

    /**
     * {@return a new greenlet, started: it runs {@code body} when the loop gets to it} Loop thread only.
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     */
    public <T> Greenlet<T> spawn(Callable<T> body) {
        return scheduler.<T>newGreenlet(body).start();
    }

    /**
     * {@return a new greenlet, started: it runs {@code body} when the loop gets to it} Loop thread only.
     * @param body the code to run in the greenlet
     */
    public Greenlet<Void> spawn(CheckedRunnable body) {
        return scheduler.<Void>newGreenlet(body).start();
    }

    /**
     * Runs {@code callback} on the loop soon, after what is already queued; thread-safe, never waits. From another
     * thread it wakes a loop blocked in its poll. A callback it accepts runs, even when the loop is closed right
     * after ({@link #close()} runs what was accepted).
     *
     * <p>Memory consistency effects: actions in a thread prior to calling {@code execute} <i>happen-before</i> the
     * callback runs on the loop's thread. Callbacks from one thread run in the order that thread submitted them.
     *
     * @param callback what to run on the loop's thread; an exception from it goes to the error handler
     * @throws NullPointerException       if {@code callback} is null
     * @throws RejectedExecutionException if the loop is closed, or if {@link Options#maxPendingCallbacks()}
     *                                    callbacks from other threads are pending already
     */
    @Override
    public void execute(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        readyQueue.submit(callback, true);
    }

    /**
     * {@link #execute}, never refused for the bound on pending callbacks: the JDK's wake-ups of this loop's virtual
     * threads and greenloop's own hand-offs, which a greenlet waits for. Thread-safe; refused once the loop is closed.
     */
    void handOff(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        readyQueue.submit(callback, false);
    }

    /**
     * Runs {@code callback} on the loop after {@code delay}. Loop thread only.
     *
     * @param delay how long from now; zero or less: in the next iteration's timers phase
     * @param callback what to run
     * @return a handle whose {@code cancel()} disarms it
     */
    public Cancellable schedule(Duration delay, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        thread.require("schedule");
        return timer(delay, callback);
    }

    /** Arms a timer {@code delay} from now, read afresh: a greenlet's {@code sleep} must not end early for the iteration's cached clock. */
    Cancellable timer(Duration delay, Runnable callback) {
        assert thread.isCurrent();
        return timers.add(Deadline.after(delay).nanoTime(), callback);
    }

    /** Drives the loop until nothing is pending (or {@link #stop()}). Owner thread only, outside greenlets and callbacks. */
    public void run() {
        drive("run()", PollWait.WHILE_ALIVE);
    }

    /** Drives the loop until {@link #stop()}, even when nothing is pending. Owner thread only. */
    public void runForever() {
        drive("runForever()", PollWait.ALWAYS);
    }

    private void drive(String operation, PollWait wait) {
        thread.checkCanDrive(operation);
        try {
            while (!shared.stopRequested() && (wait == PollWait.ALWAYS || alive())) {
                runOnce(wait);
            }
        } finally {
            shared.clearStop();
        }
    }

    /**
     * Makes {@link #run()} or {@link #runForever()} return after the current iteration; thread-safe, and from another
     * thread it wakes a loop blocked in its poll.
     *
     * <p>Memory consistency effects: actions in a thread prior to calling {@code stop} <i>happen-before</i>
     * the return from the {@code run()} or {@code runForever()} that it ends.
     */
    public void stop() {
        shared.requestStop(thread.isCurrent());
    }

    /**
     * How long an iteration's poll may wait: {@code NO} only looks ({@code UV_RUN_NOWAIT}); {@code WHILE_ALIVE} waits
     * while something is pending, since a loop with nothing pending must not sleep forever ({@code UV_RUN_ONCE});
     * {@code ALWAYS} waits even with nothing pending, for work from other threads ({@link #runForever()}).
     */
    private enum PollWait { NO, WHILE_ALIVE, ALWAYS }

    /**
     * Runs one iteration of the four phases; {@code mayWait} lets the poll wait while anything is pending
     * (libuv's {@code UV_RUN_ONCE}), otherwise it only looks ({@code UV_RUN_NOWAIT}). Owner thread only.
     *
     * @param mayWait whether the poll may wait for I/O or a timer
     */
    public void runOnce(boolean mayWait) {
        runOnce(mayWait ? PollWait.WHILE_ALIVE : PollWait.NO);
    }

    private void runOnce(PollWait wait) {
        thread.checkCanDrive("runOnce()");
        thread.inPhases(true);
        readyQueue.newIteration();
        stats.iterationStarted();
        try {
            long now = System.nanoTime();  // cached for the iteration, as libuv does; read again only if tasks ran
            runDueTimers(now);                                                                              // 1
            now = readyQueue.runPasses(now, wait == PollWait.NO ? 1 : ReadyQueue.MAX_PASSES_PER_ITERATION); // 2
            pollTransport(IdlePoll.timeoutNanos(mustNotWait(wait), timers.peek(), now));                   // 3
            dispatchReadiness();                                                                            // 4
        } finally {
            thread.inPhases(false);
        }
    }

    private boolean mustNotWait(PollWait wait) {
        return switch (wait) {
            case NO -> true;
            case WHILE_ALIVE -> readyQueue.hasWork() || shared.stopRequested() || !alive();
            case ALWAYS -> readyQueue.hasWork() || shared.stopRequested();
        };
    }

    private void runDueTimers(long now) {
        for (TimerHeap.Timer timer; (timer = timers.pollDue(now)) != null; ) {
            runTask(timer.task());
        }
    }

    private void pollTransport(long timeoutNanos) {
        stats.polling();
        idlePoll.pollReportingFailures(timeoutNanos, errors);
    }

    private void dispatchReadiness() {
        try {
            transport.dispatch();
        } catch (RuntimeException e) {
            errors.report(null, e);
        }
    }

    /** Runs one task (a timer, a callback, a greenlet's turn) with its hooks; its failure goes to the error handler. */
    void runTask(Runnable task) {
        stats.taskStarted(task);
        budget.newRun();
        try {
            task.run();
        } catch (Throwable e) {
            errors.report(null, e);
        } finally {
            stats.taskEnded();
        }
        errors.rethrowFatal();
    }

    /** Whether anything is pending that could make progress without the owner thread's help. Loop thread only. */
    boolean alive() {
        assert thread.isCurrent();
        return readyQueue.hasTasks() || liveness.greenletsCanRun() || liveness.timersArmed()
                || liveness.outsideWaitsParked() || liveness.outsideWorkPending();
    }

    /** {@return how many greenlets have started and not yet finished} Loop thread only. */
    public int liveGreenlets() {
        return liveness.liveGreenlets();
    }

    /**
     * {@return what the loop has done so far and what it holds now} Thread-safe, and never waits for the loop: on
     * the loop thread every field is exact; from another thread the counters are current, the gauges (live
     * greenlets, pending timers, I/O waiters) as of the loop's last poll, each field true at some moment of the call.
     */
    public Stats stats() {
        return stats.snapshot(thread.isCurrent());
    }

    /**
     * A loop's statistics ({@link #stats()}).
     *
     * @param iterations       iterations of the four phases so far
     * @param polls            poll phases so far, one per iteration (a spinning idle strategy makes many non-blocking
     *                         polls of the transport in one)
     * @param tasksRun         tasks run so far: timers, callbacks, greenlet resumptions
     * @param liveGreenlets    greenlets started and not yet finished
     * @param pendingTimers    armed timers, the loop's own ones (timeouts, the close grace) included
     * @param ioWaiters        greenlets, or the owner thread, parked in an I/O or cross-thread wait (a socket, a pipe, a child process)
     * @param blockedReports   blocked-loop reports written for this loop so far
     * @param pendingCallbacks the inbox's depth: callbacks other threads handed the loop that it has not taken up
     *                         yet, users' ({@link #execute}, which {@link Options#maxPendingCallbacks()} bounds) and
     *                         the JDK's and greenloop's wake-ups of parked greenlets (never bounded); always current
     */
    public record Stats(long iterations, long polls, long tasksRun, int liveGreenlets, int pendingTimers,
                        int ioWaiters, long blockedReports, long pendingCallbacks) {

        /**
         * Statistics without the inbox's depth (0), as the record was before it had one.
         *
         * @param iterations     iterations of the four phases so far
         * @param polls          polls of the transport so far
         * @param tasksRun       tasks run so far
         * @param liveGreenlets  greenlets started and not yet finished
         * @param pendingTimers  armed timers
         * @param ioWaiters      greenlets or the owner thread parked in an I/O or cross-thread wait
         * @param blockedReports blocked-loop reports written so far
         */
        public Stats(long iterations, long polls, long tasksRun, int liveGreenlets, int pendingTimers,
                     int ioWaiters, long blockedReports) {
            this(iterations, polls, tasksRun, liveGreenlets, pendingTimers, ioWaiters, blockedReports, 0);
        }
    }

    /**
     * Sets the handler for failures that reach the loop. By default they are logged at ERROR to {@code System.Logger}
     * "io.greenloop.Loop", or to the logger of the component whose greenlet failed ("io.greenloop.StreamServer" for a
     * server's handler, naming the server and the peer).
     *
     * @param handler called with each failure of a greenlet or callback
     */
    public void errorHandler(ErrorHandler handler) {
        thread.require("errorHandler");
        errors.handler(handler);
    }

    /** The transport, for {@code io.greenloop.lowlevel.LowLevel.transportOf}. Loop thread only. */
    Transport io() {
        thread.require("LowLevel.transportOf");
        return transport;
    }

    /** Counts cross-thread work as pending until the handle is cancelled ({@link LoopShared#keepAlive}). Any thread. */
    Cancellable keepAlive() {
        return shared.keepAlive(thread);
    }

    /**
     * Kills the greenlets still alive (they get up to a second in all for their {@code finally} blocks), refuses every
     * later {@link #execute}, runs the callbacks accepted before (none is lost), then closes the transport. Owner thread only.
     */
    @Override
    public void close() {
        if (shared.isClosed()) {
            return;
        }
        thread.checkCanDrive("close()");
        liveness.whenNoneLive(readyQueue::ownerWoken);  // what the grace below waits for: then the poll need not sit it out
        liveness.snapshotLiveGreenlets().forEach(g -> g.strand().throwInto(new GreenletExit("its loop is closing")));
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        Cancellable graceTimer = timer(CLOSE_GRACE, () -> { });  // bounds the poll when a greenlet ignores its kill
        while (liveness.liveGreenlets() > 0 && System.nanoTime() - deadline < 0 && alive()) {
            runOnce(true);
        }
        graceTimer.cancel();
        shared.markClosed();
        try {
            readyQueue.runAccepted();
        } finally {
            stats.close();
            transport.close();
            thread.letOwnerGo();
        }
    }

    @Override
    public String toString() {
        return "Loop[" + transport.name() + ", owner " + thread.owner.getName() + "]";
    }
}
