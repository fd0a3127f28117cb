package io.greenloop;

import io.greenloop.internal.TimerHeap;

import io.greenloop.lowlevel.PlatformBeans;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * A loop's observability hooks: its counters, what {@link Loop#stats()} reads, its JMX bean, and its probe for
 * the blocked-loop monitor ({@link BlockingMonitor}). The owner thread is the only writer
 * of the counters: it reads its own plain field and stores the next value with an opaque store (a plain
 * move on x86 and ARM, no fence), so counting costs the loop no more than a plain increment. Another thread
 * reads them with opaque loads: each value is one the owner really wrote, never torn, and never older
 * than one it read before. The three gauges (live greenlets, pending timers, I/O waiters) are the loop's
 * own plain fields; the owner copies them here before every poll, the moment it may go quiet, so another
 * thread sees them as of the loop's last poll. The inbox's depth is read where it is kept, always current.
 *
 * <p>The snapshot is not atomic across fields: each field was true at some moment during the call, not
 * all at the same moment (a metrics scrape needs no more, and the loop never waits for a reader).
 */
final class LoopStats implements LoopMXBean {

    private static final VarHandle ITERATIONS;
    private static final VarHandle POLLS;
    private static final VarHandle TASKS_RUN;
    private static final VarHandle LIVE_GREENLETS;
    private static final VarHandle PENDING_TIMERS;
    private static final VarHandle IO_WAITERS;
    /** Loop names are unique in the JVM, so that each loop has a JMX name and a JFR field of its own. */
    private static final AtomicLong LOOP_NUMBERS = new AtomicLong();
    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ITERATIONS = lookup.findVarHandle(LoopStats.class, "iterations", long.class);
            POLLS = lookup.findVarHandle(LoopStats.class, "polls", long.class);
            TASKS_RUN = lookup.findVarHandle(LoopStats.class, "tasksRun", long.class);
            LIVE_GREENLETS = lookup.findVarHandle(LoopStats.class, "liveGreenlets", int.class);
            PENDING_TIMERS = lookup.findVarHandle(LoopStats.class, "pendingTimers", int.class);
            IO_WAITERS = lookup.findVarHandle(LoopStats.class, "ioWaiters", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Loop loop;
    private final LoopShared shared;
    private final Liveness liveness;
    private final TimerHeap timers;
    /** What the blocked-loop monitor samples: which task runs and a counter bumped around each one. */
    private final BlockingMonitor.Probe activity;
    private final String name;
    private long iterations;
    private long polls;
    private long tasksRun;
    private int liveGreenlets;
    private int pendingTimers;
    private int ioWaiters;
    /** Counted by the blocked-loop monitor's report threads, not by the owner. */
    private final AtomicLong blockedReports = new AtomicLong();
    /** Blocked-loop incidents whose JFR event went out (or would have, with JFR on), for tests to wait on. */
    private final AtomicLong blockedEvents = new AtomicLong();
    /** The bean's registration, from {@link #register()}; {@code null} before. */
    private PlatformBeans.Registration bean;

    /** The hooks of {@code loop}, owned by {@code owner}, whose gauges it reads from {@code liveness} and {@code timers}. */
    LoopStats(Loop loop, Thread owner, LoopShared shared, Liveness liveness, TimerHeap timers) {
        this.loop = loop;
        this.shared = shared;
        this.liveness = liveness;
        this.timers = timers;
        this.name = owner.getName() + "-" + LOOP_NUMBERS.incrementAndGet();
        this.activity = BlockingMonitor.watch(loop, owner);
        LoopEvents.loadIfRecorderRunning();
    }

    /** The loop's name, unique in this JVM: its owner thread's name and a sequence number. */
    String name() {
        return name;
    }

    /** Owner thread: one more iteration has begun. */
    void iterationStarted() {
        ITERATIONS.setOpaque(this, iterations + 1);
    }

    /**
     * Owner thread: {@code task} (a timer, a callback, a greenlet resumption) is about to run. A few plain stores:
     * the monitor thread samples them, the loop never waits on it.
     */
    void taskStarted(Runnable task) {
        activity.taskStarted(task);
        TASKS_RUN.setOpaque(this, tasksRun + 1);
    }

    /** Owner thread: the task has returned. */
    void taskEnded() {
        activity.taskEnded();
    }

    /** Owner thread, just before it polls: counts the poll and publishes the gauges for other threads. */
    void polling() {
        POLLS.setOpaque(this, polls + 1);
        LIVE_GREENLETS.setOpaque(this, liveness.liveGreenlets());
        PENDING_TIMERS.setOpaque(this, timers.size());
        IO_WAITERS.setOpaque(this, liveness.parkedOutsideWaits());
    }

    /** Any thread: a blocked-loop report was written for this loop. */
    void blockedReported() {
        blockedReports.incrementAndGet();
    }

    /** Any thread: a blocked-loop incident of this loop is over and its JFR event was emitted (when JFR records it). */
    void blockedEventEmitted() {
        blockedEvents.incrementAndGet();
    }

    /** How many blocked-loop incidents are over, their JFR events emitted. Any thread. */
    long blockedEventsEmitted() {
        return blockedEvents.get();
    }

    /**
     * The counters now, with the gauges as of the last poll; on the owner thread ({@code onOwner}), exact ones
     * read from the loop itself. Any thread.
     */
    Loop.Stats snapshot(boolean onOwner) {
        return onOwner ? snapshot(liveness.liveGreenlets(), timers.size(), liveness.parkedOutsideWaits()) : snapshot();
    }

    /** Any thread: the counters now, with the gauges as of the last poll. */
    private Loop.Stats snapshot() {
        return snapshot((int) LIVE_GREENLETS.getOpaque(this), (int) PENDING_TIMERS.getOpaque(this),
                (int) IO_WAITERS.getOpaque(this));
    }

    private Loop.Stats snapshot(int liveGreenlets, int pendingTimers, int ioWaiters) {
        return new Loop.Stats((long) ITERATIONS.getOpaque(this), (long) POLLS.getOpaque(this),
                (long) TASKS_RUN.getOpaque(this), liveGreenlets, pendingTimers, ioWaiters, blockedReports.get(),
                shared.pendingCallbacks());
    }

    /**
     * Registers this loop's bean as {@code io.greenloop:type=Loop,name=<name>} in the platform MBean server, off
     * the loop's thread ({@link PlatformBeans}): opening a loop never waits for the MBean server, and a loop works
     * without its bean when registration fails.
     */
    void register() {
        bean = PlatformBeans.register("Loop", name, this, loop);
    }

    /** As the loop closes: stops the monitor watching it and unregisters the bean (after its registration). */
    void close() {
        BlockingMonitor.unwatch(activity);
        if (bean != null) {
            bean.unregister();
        }
    }

    /** The JMX name of the loop called {@code name}; quoted when the name has characters JMX reserves. */
    static ObjectName objectName(String name) throws JMException {
        return PlatformBeans.objectName("Loop", name);
    }

    @Override
    public long getIterations() {
        return snapshot().iterations();
    }

    @Override
    public long getPolls() {
        return snapshot().polls();
    }

    @Override
    public long getTasksRun() {
        return snapshot().tasksRun();
    }

    @Override
    public int getLiveGreenlets() {
        return snapshot().liveGreenlets();
    }

    @Override
    public int getPendingTimers() {
        return snapshot().pendingTimers();
    }

    @Override
    public int getIoWaiters() {
        return snapshot().ioWaiters();
    }

    @Override
    public long getBlockedReports() {
        return blockedReports.get();
    }

    @Override
    public long getPendingCallbacks() {
        return shared.pendingCallbacks();
    }

    @Override
    public int getCpu() {
        return loop.options().cpu();
    }

    @Override
    public String getIdleStrategy() {
        return loop.options().idleStrategy().toString();
    }

    /** The whole JVM's run info, {@link Green#formatRunInfo()}: every open loop, its greenlets and their stacks. */
    @Override
    public String formatRunInfo() {
        return RunInfo.format();
    }
}
