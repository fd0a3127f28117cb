package io.greenloop;

import io.greenloop.internal.ClassPreloader;
import io.greenloop.internal.ComponentTask;
import io.greenloop.internal.Deadline;
import io.greenloop.internal.GreenletThreads;
import io.greenloop.internal.LoopAccess;
import io.greenloop.internal.SafeLog;
import io.greenloop.internal.TimerHeap;
import io.greenloop.spi.Transport;
import io.greenloop.spi.TransportProvider;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A single-threaded event loop, gevent's hub: it belongs to the thread that opened it and schedules that
 * thread's greenlets. One iteration ({@link #runOnce(boolean)}) reads the clock once and has four
 * phases, as in libuv:
 * <ol>
 *   <li>run the timers whose deadline has passed;</li>
 *   <li>run the ready queue: callbacks and greenlets to resume, FIFO, in passes (Trio's batches) that
 *       each run all of what was queued when the pass began and nothing newer (what they queue waits for
 *       the next pass: that is what makes {@code sleep()} fair), taking at most
 *       {@value #MAX_INBOX_MOVE_PER_PASS} callbacks from other threads per pass; passes go on, up to
 *       {@value #MAX_PASSES_PER_ITERATION} of them or {@value #MAX_READY_PHASE_NANOS} ns looked at
 *       between passes, so switches do not each pay for a poll and a flood of
 *       {@link #execute(Runnable)} cannot starve timers and I/O. A pass is never cut short: every greenlet
 *       the last poll woke runs before the next poll, so a level-triggered poller (nio) does not report
 *       again, at every poll, the sockets whose greenlets have not read yet;</li>
 *   <li>poll the transport: without waiting when work is ready or nothing at all is pending, else
 *       until the next timer, else without limit; {@link #execute(Runnable)} from another thread
 *       cuts it short;</li>
 *   <li>dispatch readiness: each ready handle wakes the greenlets parked on it.</li>
 * </ol>
 * The loop is alive while a greenlet can run (it is runnable, or parked in a JDK call that another
 * thread will end), a timer is armed, an I/O or cross-thread wait is parked, or cross-thread work
 * (a thread-pool task, a child process) is outstanding: one method each in {@code Liveness}.
 *
 * <p>Failures of callbacks and greenlets go to the {@link ErrorHandler} and the loop goes on, except fatal
 * ones ({@link VirtualMachineError}: out of memory, stack overflow, an internal JVM error): those end the
 * iteration and are rethrown on the owner thread by whatever drives the loop ({@link #run()},
 * {@link #runOnce(boolean)}, a wait on the owner thread), as gevent re-raises system errors in the main
 * greenlet. The loop stays open and usable: what was queued stays queued, and the owner may drive it
 * again or {@link #close()} it.
 *
 * <p>One rule for which loop: every loop-bound call ({@code Green}'s functions, {@code Timeout.start},
 * {@code Event.await}, the first use of a {@code Queue}, {@code Semaphore}, {@code Pool} or {@code Group},
 * sockets, {@code Subprocess}) acts on the loop of the calling greenlet, or of the plain virtual thread
 * started inside one (it runs on that loop), or on the loop the calling thread opened; on a thread with
 * none it opens that thread's default loop ({@link #current()}, gevent's {@code get_hub()}). Only the calls
 * that can simply block a foreign thread never open one: {@code Greenlet.get/join} from a thread other
 * than the owner, {@code AsyncResult.get}, {@code ThreadPool.apply}.
 *
 * <p>Thread rule: {@link #execute(Runnable)} and {@link #stop()} may be called from any thread; every
 * other method on the owner thread or inside one of this loop's greenlets, else it throws
 * {@link IllegalStateException} naming the owner.
 */
public final class Loop implements Executor, AutoCloseable {

    /** How long {@link #close()} lets killed greenlets run their {@code finally} blocks before it gives up on them. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
    /**
     * How many ready-queue passes one iteration may run before it polls I/O. A pass runs what was ready
     * when it began, so {@code sleep()} stays fair; many passes per poll keep a greenlet switch from
     * paying for a poll syscall every time (a non-blocking epoll_wait costs more than two switches; at 64
     * passes the poll was 3% of an Event hand-off), while the time bound below still gives I/O and timers
     * their turn every {@value #MAX_READY_PHASE_NANOS} ns under load.
     */
    private static final int MAX_PASSES_PER_ITERATION = 1024;
    /** And how long those passes may take, so one busy iteration cannot starve I/O and timers. */
    private static final long MAX_READY_PHASE_NANOS = 100_000;
    /**
     * How many tasks run between two looks at the clock, which happen between passes only (Netty's
     * {@code runAllTasks(timeout)} looks every 64 tasks too): a clock read costs about as much as a small
     * task, so passes of one switch each (a ping-pong) look once per 64 of them, a pass of 64 tasks or
     * more after itself.
     */
    private static final int TASKS_PER_CLOCK_CHECK = 64;
    /**
     * The most callbacks from other threads that one pass takes from the inbox. Other threads can add as
     * fast as the loop moves them, so an unbounded drain may never end; and what one pass takes runs
     * before the greenlets woken after it, so this bounds how far a flood can push them back (~1024 small
     * callbacks are tens of microseconds), while still moving the inbox in batches.
     */
    static final int MAX_INBOX_MOVE_PER_PASS = 1024;
    /**
     * How many socket operations (reads and writes) a greenlet may make in one run, from one resume to
     * the next park, before it yields ({@link #spendSocketBudget}). Netty reads at most 16 messages per
     * channel per readiness event and spins at most 16 times on a write; 16 here gives a pipelining client
     * 8 request/response pairs per turn, while one greenlet whose reads keep succeeding lets the others
     * (and timers and I/O, every few passes) in after at most 16 syscalls, tens of microseconds.
     */
    static final int SOCKET_OPERATIONS_PER_RUN = 16;
    /** The pause after a failed poll, so that a broken poller reports instead of spinning a core. */
    private static final long POLL_FAILURE_BACKOFF_NANOS = 10_000_000;
    /** The loop's log, System.Logger "io.greenloop.Loop": its error reports, and those of its strands and statistics. */
    static final SafeLog LOG = SafeLog.of("Loop");


    static {
        LoopAccess.install(new LoopLowLevelAccess());
    }

    /**
     * What a loop does with a failure that reached it: a greenlet's uncaught exception, a callback's. Fatal
     * errors ({@link VirtualMachineError}) never come here: the loop rethrows them on its owner thread.
     */
    @FunctionalInterface
    public interface ErrorHandler {
        /**
         * Called on the loop thread; {@code greenlet} is {@code null} for a callback. Must not block.
         *
         * @param greenlet the greenlet that failed, or {@code null} for a callback
         * @param error what it threw
         */
        void handle(Greenlet<?> greenlet, Throwable error);
    }

    private final Thread owner;
    private final Strand ownerStrand;
    private final Transport transport;
    private final int maxPendingCallbacks;
    private final Thread.Builder.OfVirtual greenletThreads;
    /** What other threads touch; every other field is the owner's (Tokio keeps the two apart as Shared and Core). */
    private final LoopShared shared;
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final TimerHeap timers = new TimerHeap();
    private final Liveness liveness;
    private boolean closing;
    private boolean ownerWoken;
    private boolean inPhases;
    private long greenletsSpawned;
    /** The strand that ran or passed a thread check last: a one-entry cache for {@link #currentStrand()}. */
    private Strand lastStrand;
    /** Socket operations the running task has made so far; each task starts at 0 ({@link #spendSocketBudget}). */
    private int socketOperationsThisRun;
    /** A fatal error that reached the loop in a greenlet or callback, to rethrow on the owner thread after that task. */
    private VirtualMachineError fatal;
    private ErrorHandler errorHandler = Loop::logError;
    /** What the blocked-loop monitor samples: which task runs and a counter bumped around each one. */
    private final BlockingMonitor.Probe activity;
    /** Its counters for {@link #stats()}, JFR and JMX (the owner writes them; any thread reads them). */
    final LoopStats stats;

    private Loop(Transport transport, Options options) {
        this.owner = Thread.currentThread();
        this.transport = transport;
        this.maxPendingCallbacks = options.maxPendingCallbacks();
        this.shared = new LoopShared(transport, maxPendingCallbacks);
        this.liveness = new Liveness(timers, shared);
        this.greenletThreads = GreenletThreads.builder(new GreenletScheduler(this));
        this.ownerStrand = new Strand(this, null, owner);
        this.stats = new LoopStats(this, owner, shared);
        this.activity = BlockingMonitor.watch(this, owner);
    }

    /**
     * Opens a loop for the calling thread on the best transport this machine has (epoll, kqueue, then nio), or on
     * {@code -Dgreenloop.transport=NAME}.
     *
     * @return the calling thread's new loop
     */
    public static Loop open() {
        return open(Options.defaults());
    }

    /**
     * Opens a loop for the calling thread on the named transport ({@code "epoll"}, {@code "kqueue"},
     * {@code "nio"}); an unknown or unavailable one throws {@link IllegalArgumentException} naming those
     * that are available.
     *
     * @param transport the transport name ("epoll", "kqueue", "nio")
     * @return the calling thread's new loop
     */
    public static Loop open(String transport) {
        Objects.requireNonNull(transport, "transport");
        return open(Options.defaults().withTransport(transport));
    }

    /**
     * Opens a loop for the calling thread with {@code options}: its transport ({@link #open(String)}'s rule) and
     * its bound on pending callbacks. The calling thread must not have a loop yet.
     */
    public static Loop open(Options options) {
        Objects.requireNonNull(options, "options");
        TransportProvider provider = options.transport() == null
                ? TransportSelection.configuredOrBest() : TransportSelection.named(options.transport());
        return openOn(provider, options);
    }

    /**
     * How a loop is opened ({@link Loop#open(Options)}): start from {@link #defaults()} and change what you need
     * with the {@code with...} copies; a future version may add components, keeping this constructor.
     *
     * @param transport           the transport's name ({@code "epoll"}, {@code "kqueue"}, {@code "nio"}), or
     *                            {@code null} for the best one here (or {@code -Dgreenloop.transport})
     * @param maxPendingCallbacks how many callbacks from {@link Loop#execute(Runnable)} other threads may have
     *                            queued and not yet taken up by the loop; one more is refused with
     *                            {@link RejectedExecutionException} (Netty's {@code maxPendingTasks}). By
     *                            default {@link #UNLIMITED}, as Netty's. It bounds users' callbacks only: the
     *                            JDK's wake-ups of parked greenlets and greenloop's own hand-offs are never
     *                            refused, nor what the loop's own thread queues
     */
    public record Options(String transport, int maxPendingCallbacks) {

        /** No bound on pending callbacks (the heap is the limit). */
        public static final int UNLIMITED = Integer.MAX_VALUE;

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
        }

        /** The best transport here (or {@code -Dgreenloop.transport}), no bound on pending callbacks. */
        public static Options defaults() {
            return new Options(null, UNLIMITED);
        }

        /** These options with the named transport; {@link Loop#open(Options)} refuses one not available here. */
        public Options withTransport(String name) {
            Objects.requireNonNull(name, "name");
            return new Options(name, maxPendingCallbacks);
        }

        /** These options with at most {@code n} callbacks from other threads pending ({@link #UNLIMITED}: no bound). */
        public Options withMaxPendingCallbacks(int n) {
            return new Options(transport, n);
        }
    }

    /**
     * The names of the transports that work on this machine, best first.
     *
     * @return the names of the transports that work on this machine, best first
     */
    public static List<String> availableTransports() {
        return TransportSelection.availableNames();
    }

    /**
     * The calling thread's loop: the one it opened, the one of the greenlet it is, or a new default one.
     *
     * @return the calling thread's loop
     */
    public static Loop current() {
        return Strand.resolve().loop;
    }

    private static Loop openOn(TransportProvider provider, Options options) {
        GreenletThreads.ensureAvailable();
        // Before anything can fail for want of descriptors: out of them, no class file could be opened.
        ClassPreloader.loadDirectoriesOf(Loop.class, provider.getClass());
        Strand existing = Strand.current();
        if (existing != null) {
            throw new IllegalStateException(Thread.currentThread() + " already has " + existing.loop
                    + (existing.isOwner() ? "; close it before opening another" : "; a greenlet cannot open a loop of its own"));
        }
        Transport transport;
        try {
            transport = provider.create();
        } catch (IOException e) {
            throw new IllegalStateException("could not open the " + provider.name() + " transport: " + e.getMessage(), e);
        }
        Loop loop = new Loop(transport, options);
        loop.ownerStrand.bindToCurrentThread();
        loop.stats.register();
        return loop;
    }

    /**
     * The name of the transport in use.
     *
     * @return the name of the transport in use
     */
    public String transport() {
        return transport.name();
    }

    /** The transport itself; outside this package through {@code io.greenloop.lowlevel.LowLevel}. Loop thread only. */
    Transport io() {
        requireLoopThread("io()");
        return transport;
    }

    /**
     * Starts {@code body} in a new greenlet; it runs when the loop gets to it. Loop thread only.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public <T> Greenlet<T> spawn(Callable<T> body) {
        return newGreenlet(body).start();
    }

    /** A greenlet of this loop that has not started ({@link Greenlet#unstarted}). Loop thread only. */
    <T> Greenlet<T> newGreenlet(Callable<T> body) {
        return newGreenlet((Object) body);
    }

    /**
     * A greenlet of {@code body}, a {@link Callable} or a {@link CheckedRunnable}, held as it is: wrapping a
     * runnable in a callable would cost every greenlet an object of its whole life. Loop thread only.
     */
    private <T> Greenlet<T> newGreenlet(Object body) {
        Objects.requireNonNull(body, "body");
        requireLoopThread("spawn");
        if (shared.isClosed()) {
            throw new IllegalStateException(this + " is closed");
        }
        return new Greenlet<>(this, body, "Greenlet-" + greenletsSpawned++);
    }

    /** The virtual thread for a greenlet, scheduled by this loop, not started yet. Loop thread only. */
    Thread newGreenletThread(String name, Strand strand) {
        if (shared.isClosed()) {
            throw new IllegalStateException(this + " is closed");
        }
        Thread thread = greenletThreads.name(name).unstarted(strand);
        thread.setUncaughtExceptionHandler(strand);  // how the thread finds its strand: Strand.current()
        return thread;
    }

    /**
     * Starts {@code body} in a new greenlet. Loop thread only.
     *
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public Greenlet<Void> spawn(CheckedRunnable body) {
        return this.<Void>newGreenlet((Object) body).start();
    }

    /**
     * Runs {@code callback} on the loop soon, after what is already queued; thread-safe, never waits. From
     * another thread it wakes a loop blocked in its poll. A callback it accepts runs, even when the loop is
     * closed right after ({@link #close()} runs what was accepted); otherwise it throws.
     *
     * <p>Memory consistency effects: actions in a thread prior to calling {@code execute}
     * <i>happen-before</i> the callback runs on the loop's thread. Callbacks from one thread run in the
     * order that thread submitted them.
     *
     * @param callback what to run on the loop's thread; an exception from it goes to the error handler
     * @throws NullPointerException       if {@code callback} is null
     * @throws RejectedExecutionException if the loop is closed, from any thread (its owner's too), or if
     *                                    {@link Options#maxPendingCallbacks()} callbacks from other threads are
     *                                    pending already
     */
    @Override
    public void execute(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        submit(callback, true);
    }

    /**
     * Like {@link #execute}, for the JDK's wake-ups of this loop's virtual threads and greenloop's own hand-offs
     * (a link's notification, a pipe's chunk, a socket moved here): never refused for the bound on pending
     * callbacks, since a greenlet waits for each. Thread-safe.
     *
     * @throws RejectedExecutionException if the loop is closed
     */
    void handOff(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        submit(callback, false);
    }

    private void submit(Runnable callback, boolean user) {
        if (inLoopThread()) {
            if (shared.isClosed()) {
                throw new RejectedExecutionException(this + " is closed: the callback would never run");
            }
            ready.add(callback);
            return;
        }
        switch (shared.submit(callback, user)) {
            case ACCEPTED -> { }
            case CLOSED -> throw new RejectedExecutionException(this + " is closed: the callback would never run");
            case FULL -> throw new RejectedExecutionException(this + " has its bound of " + maxPendingCallbacks
                    + " callbacks from other threads pending (Loop.Options.withMaxPendingCallbacks):"
                    + " retry later, or hand this loop less work");
        }
    }

    /** Queues {@code callback} at the end of the ready queue. Loop thread only. */
    void callSoon(Runnable callback) {
        assert inLoopThread();
        ready.add(callback);
    }

    /**
     * Runs {@code callback} on the loop after {@code delay}. Loop thread only.
     *
     * @param delay how long from now
     * @param callback what to run
     * @return a handle whose {@code cancel()} disarms it
     */
    public Cancellable schedule(Duration delay, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        requireLoopThread("schedule");
        return timer(delay, callback);
    }

    /**
     * Arms a timer {@code delay} from now. Now is read afresh, not the iteration's cached clock: a greenlet
     * may have computed for a while since, and its {@code sleep} must not end early for that.
     */
    Cancellable timer(Duration delay, Runnable callback) {
        assert inLoopThread();
        return timers.add(Deadline.after(delay).nanoTime(), callback);
    }

    /** Drives the loop until nothing is pending (or {@link #stop()}). Owner thread only, outside greenlets and callbacks. */
    public void run() {
        checkCanDrive("run()");
        try {
            while (!shared.stopRequested() && alive()) {
                runOnce(true);
            }
        } finally {
            shared.clearStop();
        }
    }

    /** Drives the loop until {@link #stop()}, even when nothing is pending. Owner thread only. */
    public void runForever() {
        checkCanDrive("runForever()");
        try {
            while (!shared.stopRequested()) {
                runOnce(PollWait.ALWAYS);
            }
        } finally {
            shared.clearStop();
        }
    }

    /**
     * Makes {@link #run()} or {@link #runForever()} return after the current iteration; thread-safe. From
     * another thread it wakes a loop blocked in its poll.
     *
     * <p>Memory consistency effects: actions in a thread prior to calling {@code stop} <i>happen-before</i>
     * the return from the {@code run()} or {@code runForever()} that it ends.
     */
    public void stop() {
        shared.requestStop(inLoopThread());
    }

    /** How long an iteration's poll may wait. */
    private enum PollWait {
        /** Only look ({@code UV_RUN_NOWAIT}). */
        NO,
        /** Wait while something is pending; a loop with nothing pending must not sleep forever ({@code UV_RUN_ONCE}). */
        WHILE_ALIVE,
        /** Wait even with nothing pending, for work from other threads ({@link #runForever()}). */
        ALWAYS
    }

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
        checkCanDrive("runOnce()");
        inPhases = true;
        ownerWoken = false;
        stats.iterationStarted();
        try {
            long now = System.nanoTime();  // cached for the iteration, as libuv does; read again only if tasks ran
            runDueTimers(now);                                                                 // 1
            now = runReadyQueue(now, wait == PollWait.NO ? 1 : MAX_PASSES_PER_ITERATION);      // 2
            pollTransport(pollTimeoutNanos(mustNotWait(wait), timers.peek(), now));           // 3
            dispatchReadiness();                                                               // 4
        } finally {
            inPhases = false;
        }
    }

    private boolean mustNotWait(PollWait wait) {
        return switch (wait) {
            case NO -> true;
            case WHILE_ALIVE -> hasReadyWork() || !alive();
            case ALWAYS -> hasReadyWork();
        };
    }

    /**
     * How long the poll may wait: 0 when work is ready, until the nearest timer when one is armed,
     * forever (-1) otherwise.
     */
    static long pollTimeoutNanos(boolean workReady, TimerHeap.Timer nextTimer, long now) {
        if (workReady) {
            return 0;
        }
        if (nextTimer == null) {
            return -1;
        }
        return Math.max(0, nextTimer.deadline() - now);
    }

    private boolean hasReadyWork() {
        return !ready.isEmpty() || !shared.inboxIsEmpty() || shared.stopRequested() || ownerWoken;
    }

    private void runDueTimers(long now) {
        TimerHeap.Timer timer;
        while ((timer = timers.pollDue(now)) != null) {
            runSafely(timer.task());
        }
    }

    /**
     * Runs up to {@code maxPasses} passes over the ready queue, each over all of what was queued when it
     * began (with up to {@value #MAX_INBOX_MOVE_PER_PASS} callbacks from the inbox); stops between passes
     * when the owner thread's wait is over, a stop is asked, or the time bound has passed (looked at once
     * {@value #TASKS_PER_CLOCK_CHECK} tasks have run since the last look). Returns the clock: {@code now}
     * if no task ran, else a fresh read.
     */
    private long runReadyQueue(long now, int maxPasses) {
        long deadline = now + MAX_READY_PHASE_NANOS;
        int sinceClockCheck = 0;
        for (int pass = 0; pass < maxPasses && !ownerWoken && !shared.stopRequested(); pass++) {
            shared.moveInboxTo(ready, MAX_INBOX_MOVE_PER_PASS);
            int tasks = ready.size();
            if (tasks == 0) {
                break;
            }
            sinceClockCheck += tasks;
            for (; tasks > 0; tasks--) {
                runSafely(ready.poll());
            }
            if (sinceClockCheck >= TASKS_PER_CLOCK_CHECK) {
                sinceClockCheck = 0;
                now = System.nanoTime();
                if (now - deadline >= 0) {
                    return now;
                }
            }
        }
        return sinceClockCheck == 0 ? now : System.nanoTime();  // tasks ran since now was read
    }

    private void pollTransport(long timeoutNanos) {
        stats.polling(liveness.liveGreenlets(), timers.size(), liveness.parkedOutsideWaits());
        try {
            transport.poll(shared.beforePoll(timeoutNanos));
        } catch (IOException | RuntimeException e) {
            reportError(null, new IOException("polling the " + transport.name() + " transport failed: " + e, e));
            LockSupport.parkNanos(POLL_FAILURE_BACKOFF_NANOS);
        } finally {
            shared.afterPoll();
        }
    }

    private void dispatchReadiness() {
        try {
            transport.dispatch();
        } catch (RuntimeException e) {
            reportError(null, e);
        }
    }

    private void runSafely(Runnable task) {
        activity.taskStarted(task);  // a few plain stores: the monitor thread samples them, the loop never waits on it
        socketOperationsThisRun = 0;
        stats.taskStarted();
        try {
            task.run();
        } catch (Throwable e) {
            reportError(null, e);
        } finally {
            activity.taskEnded();
        }
        if (fatal != null) {
            throwFatal();
        }
    }

    private void throwFatal() {
        VirtualMachineError error = fatal;
        fatal = null;
        throw error;
    }

    /** Whether anything is pending that could make progress without the owner thread's help. */
    boolean alive() {
        assert inLoopThread();
        return !ready.isEmpty() || !shared.inboxIsEmpty() || liveness.greenletsCanRun() || liveness.timersArmed()
                || liveness.outsideWaitsParked() || liveness.outsideWorkPending();
    }

    /**
     * Counts cross-thread work (a thread-pool task, a child process) as pending until the returned handle
     * is cancelled; thread-safe, both ways. While it is pending the loop stays alive and
     * {@link Green#waitAll()} keeps waiting.
     *
     * @return the handle to cancel when the work is done
     */
    public Cancellable keepAlive() {
        shared.outsideWorkStarted();
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) {
                return false;
            }
            shared.outsideWorkEnded();
            if (!inLoopThread()) {
                shared.submit(() -> { }, false);  // let a loop waiting in its poll re-check whether anything is pending; closed: none waits
            }
            return true;
        };
    }

    /** What loop liveness counts; {@link Waiter} and {@link Greenlet} report to it. Loop thread only. */
    Liveness liveness() {
        assert inLoopThread();
        return liveness;
    }

    void ownerWoken() {
        ownerWoken = true;
    }

    void greenletStarted(Greenlet<?> greenlet) {
        assert inLoopThread();
        liveness.greenletStarted(greenlet);
    }

    /** Forgets a greenlet's thread, as the last thing its body does. Loop thread only. */
    void greenletThreadEnding(Thread thread) {
        if (lastStrand != null && lastStrand.thread == thread) {
            lastStrand = null;
        }
    }

    /** Forgets a finished greenlet and returns its completion number. */
    long greenletFinished(Greenlet<?> greenlet) {
        assert inLoopThread();
        long completion = liveness.greenletFinished(greenlet);
        if (closing && liveness.liveGreenlets() == 0) {
            ownerWoken = true;  // close() is waiting for exactly this; do not let the poll sit out the grace
        }
        return completion;
    }

    /** The live greenlets, for {@link Green#formatRunInfo()} on any thread: a racy snapshot ({@link Liveness}). */
    List<Greenlet<?>> liveGreenletsFromAnyThread() {
        return liveness.snapshotFromAnyThread();
    }

    /**
     * How many greenlets have started and not yet finished. Loop thread only.
     *
     * @return how many greenlets have started and not yet finished
     */
    public int liveGreenlets() {
        return liveness.liveGreenlets();
    }

    /**
     * What the loop has done so far and what it holds now; thread-safe, and never waits for the loop. On the
     * loop thread every field is exact; from another thread the counters are current and the gauges (live
     * greenlets, pending timers, I/O waiters) are as of the loop's last poll, and the fields are not one
     * atomic snapshot: each was true at some moment during the call.
     *
     * @return what the loop has done so far and what it holds now
     */
    public Stats stats() {
        return inLoopThread() ? stats.snapshot(liveness.liveGreenlets(), timers.size(), liveness.parkedOutsideWaits()) : stats.snapshot();
    }

    /**
     * A loop's statistics ({@link #stats()}).
     *
     * @param iterations       iterations of the four phases so far
     * @param polls            polls of the transport so far (one per iteration today)
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

        /** Statistics without the inbox's depth (0), as the record was before it had one. */
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
        requireLoopThread("errorHandler");
        this.errorHandler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Hands a failure to the error handler; a fatal one ({@link VirtualMachineError}) is kept instead, and
     * the task it happened in rethrows it on the owner thread when it returns to the loop. Loop thread only.
     */
    void reportError(Greenlet<?> greenlet, Throwable error) {
        assert inLoopThread();
        if (error instanceof VirtualMachineError vmError) {
            recordFatal(vmError);
            return;
        }
        try {
            errorHandler.handle(greenlet, error);
        } catch (VirtualMachineError handlerFatal) {
            recordFatal(handlerFatal);
        } catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(error);
            logError(greenlet, handlerFailure);
        }
    }

    private void recordFatal(VirtualMachineError error) {
        if (fatal == null) {
            fatal = error;
        } else if (fatal != error) {
            fatal.addSuppressed(error);
        }
    }

    /** The default error handler: a component's greenlet (a server's handler) on that component's log, the rest on the loop's. */
    private static void logError(Greenlet<?> greenlet, Throwable error) {
        if (greenlet != null && greenlet.body() instanceof ComponentTask task) {
            task.log().log(System.Logger.Level.ERROR, greenlet.name() + ", " + task.describe() + ", failed", error);
        } else {
            LOG.log(System.Logger.Level.ERROR, (greenlet == null ? "a loop callback" : greenlet.name()) + " failed", error);
        }
    }

    /** Whether the calling thread is this loop's owner or one of its greenlets. */
    boolean inLoopThread() {
        return Thread.currentThread() == owner || currentStrand() != null;
    }

    /**
     * The calling thread's strand when it is this loop's owner or runs on this loop, else {@code null}.
     * {@link #lastStrand} answers most calls without {@link Strand#current()}'s {@code ThreadLocal} lookup,
     * since a greenlet usually makes several loop-bound calls in a row (a read, then a write).
     */
    Strand currentStrand() {
        Thread thread = Thread.currentThread();
        Strand last = lastStrand;
        if (last != null && last.thread == thread) {
            return last;
        }
        if (thread == owner) {
            return ownerStrand;
        }
        Strand strand = Strand.current();
        if (strand == null || strand.loop != this) {
            return null;
        }
        lastStrand = strand;
        return strand;
    }

    /**
     * The strand of {@code thread}, a greenlet of this loop that started and has not finished, found by a
     * walk over the live greenlets: only for a greenlet whose uncaught-exception handler, which normally
     * carries its strand ({@link Strand#current()}), was replaced. Called on that thread, so on this loop.
     */
    Strand greenletStrandOf(Thread thread) {
        Greenlet<?> greenlet = liveness.liveGreenletOn(thread);
        return greenlet == null ? null : greenlet.strand();
    }

    /** Notes that {@code strand} runs now (a greenlet resumed from a wait, or its body began), for {@link #currentStrand()}. */
    void running(Strand strand) {
        lastStrand = strand;
    }

    /**
     * Spends one unit of the calling greenlet's socket budget (Tokio's coop budget): after
     * {@value #SOCKET_OPERATIONS_PER_RUN} socket operations in one run, the greenlet yields to the back of
     * the ready queue before its next one, so one whose reads keep succeeding (a flood, a pipelined
     * client) cannot hold the loop while other connections wait. Checks the calling thread first, as
     * {@link #requireLoopThread} does. The owner thread outside greenlets never yields here.
     */
    void spendSocketBudget(String operation) {
        Strand strand = currentStrand();
        if (strand == null) {
            requireLoopThread(operation);  // throws, naming the owner
        }
        if (strand.isOwner() || ++socketOperationsThisRun <= SOCKET_OPERATIONS_PER_RUN) {
            return;
        }
        Thread.yield();  // the JDK re-submits the yielding virtual thread: the tail of the ready queue
        strand.raisePending();
    }

    /**
     * Throws {@link IllegalStateException} naming {@code operation}, this loop and its owner unless the
     * caller is the owner thread or one of this loop's greenlets; outside this package through
     * {@code io.greenloop.lowlevel.LowLevel}.
     */
    void requireLoopThread(String operation) {
        if (!inLoopThread()) {
            throw new IllegalStateException(operation + " was called on " + Thread.currentThread() + ", but " + this
                    + " belongs to " + owner + ": call it there or inside one of its greenlets, or hand it over with loop.execute(...)");
        }
    }

    /** Throws unless the caller is the owner thread, outside greenlets and outside the loop's own callbacks. */
    void checkCanDrive(String operation) {
        if (Thread.currentThread() != owner) {
            requireLoopThread(operation);
            throw new IllegalStateException(operation + " inside a greenlet cannot drive the loop; it is already running it");
        }
        if (inPhases) {
            throw new IllegalStateException(operation + " would block inside a loop callback, re-entering the loop; spawn a greenlet for it instead");
        }
        if (shared.isClosed()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /**
     * Kills the greenlets still alive (each gets {@link GreenletExit} and up to a second in all to run its
     * {@code finally} blocks), refuses every later {@link #execute}, runs the callbacks accepted before (so
     * that none is lost), then closes the transport. Owner thread only.
     */
    @Override
    public void close() {
        if (shared.isClosed()) {
            return;
        }
        checkCanDrive("close()");
        closing = true;
        for (Greenlet<?> g : liveness.snapshotLiveGreenlets()) {
            g.strand().throwInto(new GreenletExit("its loop is closing"));
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        Cancellable graceTimer = timer(CLOSE_GRACE, () -> { });  // bounds the poll when a greenlet ignores its kill
        while (liveness.liveGreenlets() > 0 && System.nanoTime() - deadline < 0 && alive()) {
            runOnce(true);
        }
        graceTimer.cancel();
        shared.markClosed();
        try {
            runAcceptedCallbacks();
        } finally {
            BlockingMonitor.unwatch(activity);
            stats.unregister();
            transport.close();
            ownerStrand.unbindFromCurrentThread();
        }
    }

    /**
     * Runs what {@link #execute} accepted before the loop closed: the ready queue, and the inbox until the
     * callbacks counted in it are all taken (a thread that counted one before the close may still be linking
     * it: then wait for it). The inbox refuses new ones now, so this ends.
     */
    private void runAcceptedCallbacks() {
        inPhases = true;
        try {
            while (!ready.isEmpty() || !shared.inboxIsEmpty()) {
                shared.moveInboxTo(ready, MAX_INBOX_MOVE_PER_PASS);
                if (ready.isEmpty()) {
                    Thread.yield();  // the thread still linking its callback may need this core
                }
                for (int tasks = ready.size(); tasks > 0; tasks--) {
                    runSafely(ready.poll());
                }
            }
        } finally {
            inPhases = false;
        }
    }

    @Override
    public String toString() {
        return "Loop[" + transport.name() + ", owner " + owner.getName() + "]";
    }
}
