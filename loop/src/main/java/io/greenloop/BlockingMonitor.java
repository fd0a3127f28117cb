package io.greenloop;

import io.greenloop.internal.GreenletThreads;
import io.greenloop.internal.SafeLog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The blocked-loop report, gevent's monitor thread with {@code max_blocking_time}: when one greenlet or
 * callback holds a loop longer than the limit, it is logged once per incident to {@code System.Logger}
 * "io.greenloop.BlockingMonitor" at WARNING, with the greenlet's name and its stack at that moment, and counted
 * ({@link Loop.Stats#blockedReports()}); when the loop is released, the JFR event {@code io.greenloop.LoopBlocked}
 * is committed with how long it was held in all and that stack. A loop that never comes back is still reported, at
 * detection; its event is committed if its owner thread ends.
 *
 * <p>How: each loop bumps a counter before and after every task it runs (timers, callbacks, greenlet
 * resumptions), so the counter is odd while a task runs. One daemon platform thread samples every watched
 * loop each half limit; a counter that stays odd and unchanged for the limit means one task has held the
 * loop that long. The loop pays a few plain stores per task and never waits for the monitor. One thread
 * serves all loops because a server runs a loop per core and each sample is a handful of field reads;
 * a thread per loop would only add threads. A report (the stack, the log record) is written by a short-lived
 * thread of its own, so that nothing a report waits for can stop the sampling. The event is committed by the
 * monitor or that report thread, never by the loop's owner thread: JFR drops the first event a thread commits
 * after a virtual thread has run on it (measured on JDK 25: after each greenlet's turn, the owner's next event is
 * lost and the one after it kept), and the owner thread carries its greenlets.
 *
 * <p>The same thread looks, every {@value #OWNER_CHECK_MILLIS} ms at least, whether the owner thread of a watched
 * loop has ended without closing it. A default loop (opened by a loop-bound call on a thread that had none, such
 * as a pool thread's blocking socket call) is then closed for it, on a reaper thread: its sockets, its bean, and
 * its greenlets dropped, with one WARNING naming the thread and what was closed. An explicit {@code Loop.open()}
 * loop stays the owner's to close; {@link Green#formatRunInfo()} marks it.
 *
 * <p>The limit is {@code -Dgreenloop.maxBlockingMillis=N} (default {@value #DEFAULT_LIMIT_MILLIS}), read
 * when a loop opens; 0 or less turns the report off for that loop. A task is reported once the monitor has seen
 * it hold the loop for the limit (it first sees a task up to half a limit after it started), so a task that holds
 * it a little longer than the limit may go unreported, and a shorter one never is. The event's time held runs
 * from the last sample before the task to the first after it: at least the time held, at most a limit more.
 */
final class BlockingMonitor {

    /** The system property that sets the limit, in milliseconds; 0 turns the report off. */
    static final String LIMIT_PROPERTY = "greenloop.maxBlockingMillis";
    /** Its reports go to System.Logger "io.greenloop.BlockingMonitor". */
    private static final SafeLog LOG = SafeLog.of("BlockingMonitor");
    /** gevent's default {@code max_blocking_time} is 0.1 s: long enough that a loop doing real work is not flagged. */
    static final long DEFAULT_LIMIT_MILLIS = 100;
    /** How often, at least, the owner threads are looked at: a left-behind loop is closed within about this. */
    static final long OWNER_CHECK_MILLIS = 1000;
    /** The shortest sampling period, so that a tiny limit does not turn the monitor into a busy thread. */
    private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final Set<Probe> WATCHED = ConcurrentHashMap.newKeySet();
    private static final Object LOCK = new Object();
    private static Thread monitor;

    private BlockingMonitor() {
    }

    /**
     * A loop's side of the monitor. The loop thread writes {@link #taskStarted}/{@link #taskEnded} on
     * every task; the monitor thread reads them. The fields after the VarHandles belong to the monitor.
     */
    static final class Probe {
        private static final VarHandle TICKS;
        private static final VarHandle TASK;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                TICKS = lookup.findVarHandle(Probe.class, "ticks", long.class);
                TASK = lookup.findVarHandle(Probe.class, "task", Runnable.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Loop loop;
        final Thread owner;
        /** 0: no blocked-loop reports for this loop, only the owner check. */
        final long limitNanos;
        /** Odd while a task runs; written by the loop thread only. */
        private long ticks;
        private Runnable task;
        private long lastTicks;
        private long firstSeenNanos;
        /** The sample before the one that first saw the current task: it began after this. */
        private long beganAfterNanos;
        private long lastSampleNanos;
        /** The incident reported and not yet over: its event is committed when the loop is released. */
        private BlockedIncident incident;
        /** Set when the loop closes ({@link #unwatch}); the monitor drops the probe at its next sample. */
        private volatile boolean closed;

        Probe(Loop loop, Thread owner, long limitNanos) {
            this.loop = loop;
            this.owner = owner;
            this.limitNanos = limitNanos;
            this.lastSampleNanos = System.nanoTime();
        }

        /** Loop thread: {@code task} is about to run. Opaque/release stores: plain moves on x86 and ARM's cheap ones. */
        void taskStarted(Runnable task) {
            TASK.setOpaque(this, task);
            TICKS.setRelease(this, ticks + 1);
        }

        /** Loop thread: the task has returned. */
        void taskEnded() {
            TICKS.setRelease(this, ticks + 1);
        }

        /** Monitor thread: looks once; reports when the same task has held the loop for the limit, ends an incident when released. */
        void sample(long now) {
            long previousSample = lastSampleNanos;
            lastSampleNanos = now;
            long seen = (long) TICKS.getAcquire(this);
            if ((seen & 1) == 0 || seen != lastTicks) {
                endIncident(now);  // released: the task that held it has returned
                lastTicks = seen;  // idle, or another task since the last look: a new incident could start here
                firstSeenNanos = now;
                beganAfterNanos = previousSample;
                return;
            }
            if (incident != null || now - firstSeenNanos < limitNanos) {
                return;
            }
            Runnable running = (Runnable) TASK.getOpaque(this);
            BlockedIncident reported = new BlockedIncident(loop);
            incident = reported;
            long heldNanos = now - firstSeenNanos;
            // Taking a virtual thread's stack can wait on the JDK; a thread of its own per report (reports
            // are rare: one per incident) keeps any such wait from stopping the sampling of every loop.
            Thread.ofPlatform().daemon().name("greenloop-blocking-report").start(() -> report(seen, running, heldNanos, reported));
        }

        /** Monitor thread: the incident in progress, if any, is over at {@code now}; its event can go out. */
        void endIncident(long now) {
            if (incident != null) {
                incident.released(now - beganAfterNanos);
                incident = null;
            }
        }

        /** Whether an incident was reported and its loop not yet seen released. Monitor thread, or tests once it has sampled. */
        boolean incidentOpen() {
            return incident != null;
        }

        private void report(long seen, Runnable running, long heldNanos, BlockedIncident reported) {
            Thread greenlet = GreenletThreads.virtualThreadOf(running);
            StackTraceElement[] stack = greenlet != null ? greenlet.getStackTrace() : owner.getStackTrace();
            // Taking the stack can take a while on a loaded machine: if the task let go meanwhile, the stack
            // shows someone else, so it is left out; the report itself still goes out.
            boolean stillHeld = (long) TICKS.getAcquire(this) == seen;
            String who = greenlet == null ? "a loop callback (" + running + ")"
                    : greenlet.getName().isEmpty() ? "virtual thread #" + greenlet.threadId() + " (started inside a greenlet, so on the loop)"
                    : "greenlet " + greenlet.getName();
            String message = who + " has held " + loop + " for at least " + TimeUnit.NANOSECONDS.toMillis(heldNanos)
                    + " ms without yielding (limit " + TimeUnit.NANOSECONDS.toMillis(limitNanos) + " ms, -D" + LIMIT_PROPERTY
                    + "); nothing else on this loop runs meanwhile. Move blocking work to a ThreadPool, or yield with Green.sleep(); "
                    + (stillHeld ? "the stack it had is attached" : "it let go before its stack could be taken, so none is attached");
            LoopBlocked trace = new LoopBlocked(who + " holding " + loop);
            trace.setStackTrace(stillHeld ? stack : new StackTraceElement[0]);
            LOG.log(System.Logger.Level.WARNING, message, trace);
            loop.stats.blockedReported();
            reported.reported(who, trace.getStackTrace());
        }
    }

    /** The stack of the greenlet or callback that held the loop, attached to the report; never thrown. */
    static final class LoopBlocked extends Throwable {
        LoopBlocked(String message) {
            super(message, null, false, true);
        }
    }

    /**
     * Starts watching {@code loop}: for blocked-loop reports unless the limit turns them off, and for an owner thread
     * that ends without closing it. Returns its probe. Called as the loop opens.
     */
    static Probe watch(Loop loop, Thread owner) {
        long limitMillis = limitMillis();
        Probe probe = new Probe(loop, owner, TimeUnit.MILLISECONDS.toNanos(Math.max(0, limitMillis)));
        WATCHED.add(probe);
        synchronized (LOCK) {
            if (monitor == null || !monitor.isAlive()) {
                // A platform thread: started from a greenlet's loop it must not inherit any loop as scheduler.
                monitor = Thread.ofPlatform().daemon().name("greenloop-blocking-monitor").start(BlockingMonitor::runMonitor);
            }
            LOCK.notifyAll();
        }
        return probe;
    }

    private static long limitMillis() {
        String value = System.getProperty(LIMIT_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT_MILLIS;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "-D{0}={1} is not a number of milliseconds; using {2}",
                    LIMIT_PROPERTY, value, DEFAULT_LIMIT_MILLIS);
            return DEFAULT_LIMIT_MILLIS;
        }
    }

    /**
     * Stops watching a closed loop, at the monitor's next sample: an incident still open then (its task returned
     * before the loop closed) has its event committed by the monitor, not by the owner thread calling this.
     */
    static void unwatch(Probe probe) {
        probe.closed = true;
    }

    /** Whether the monitor still watches {@code loop}: it stops when the loop closes or its owner thread has ended. */
    static boolean watches(Loop loop) {
        return WATCHED.stream().anyMatch(probe -> probe.loop == loop);
    }

    private static void runMonitor() {
        while (true) {
            try {
                long period = awaitWork();
                TimeUnit.NANOSECONDS.sleep(period);
                sampleAll(System.nanoTime());
            } catch (InterruptedException e) {
                // Nobody owns this thread but greenloop; an interrupt from elsewhere must not end the monitoring.
                Thread.interrupted();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "the greenloop blocking monitor failed a sample; it goes on", e);
            }
        }
    }

    /** One look at every watched loop; the loops left behind by their owner threads go to a reaper thread. */
    private static void sampleAll(long now) {
        List<Probe> ended = null;
        for (Probe probe : WATCHED) {
            if (probe.closed) {
                WATCHED.remove(probe);
                probe.endIncident(now);
                continue;
            }
            if (probe.owner.isAlive()) {
                if (probe.limitNanos > 0) {
                    probe.sample(now);
                }
                continue;
            }
            WATCHED.remove(probe);
            probe.endIncident(now);  // a loop held until its thread died: its event goes out now
            if (probe.loop.thread.abandoned()) {
                ended = ended == null ? new ArrayList<>() : ended;
                ended.add(probe);
            }
        }
        if (ended != null) {
            List<Probe> reap = ended;
            // Closing sockets and logging can wait (a log handler on a full pipe): never on the sampling thread.
            Thread.ofPlatform().daemon().name("greenloop-loop-reaper").start(() -> reap.forEach(BlockingMonitor::closeAbandoned));
        }
    }

    /** Closes the default loop of an owner thread that has ended, and says so once; an explicit loop stays as it is. */
    private static void closeAbandoned(Probe probe) {
        try {
            String closed = probe.loop.thread.closeAbandoned();
            if (closed != null) {
                LOG.log(System.Logger.Level.WARNING, "thread " + probe.owner.getName() + " ended without closing its default loop "
                        + probe.loop + ", opened by a loop-bound call on it (a socket, a sleep, a greenlet); greenloop closed "
                        + closed + ". Close a thread's loop before the thread ends (Green.loop().close()), or do such work"
                        + " on a LoopGroup", (Throwable) null);
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "could not close " + probe.loop + ", left behind by thread " + probe.owner.getName(), e);
        }
    }

    /**
     * Waits while no loop is watched; then the sampling period: half the smallest limit, and at most
     * {@link #OWNER_CHECK_MILLIS}. The walk is under the lock, and {@link #watch} adds before it notifies under the
     * same lock: a loop watched after an empty walk always ends the wait (a walk outside the lock could find
     * nothing and sleep for ever).
     */
    private static long awaitWork() throws InterruptedException {
        synchronized (LOCK) {
            while (WATCHED.isEmpty()) {
                LOCK.wait();
            }
            long period = TimeUnit.MILLISECONDS.toNanos(OWNER_CHECK_MILLIS);
            for (Probe probe : WATCHED) {
                if (probe.limitNanos > 0) {
                    period = Math.min(period, probe.limitNanos / 2);
                }
            }
            return Math.max(MIN_PERIOD_NANOS, period);
        }
    }
}
