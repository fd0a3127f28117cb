package io.greenloop;

import io.greenloop.internal.GreenletThreads;
import io.greenloop.internal.SafeLog;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The blocked-loop report, gevent's monitor thread with {@code max_blocking_time}: when one greenlet or
 * callback holds a loop longer than the limit, it is logged once per incident to {@code System.Logger}
 * "io.greenloop.BlockingMonitor" at WARNING, with the greenlet's name and its stack at that moment.
 *
 * <p>How: each loop bumps a counter before and after every task it runs (timers, callbacks, greenlet
 * resumptions), so the counter is odd while a task runs. One daemon platform thread samples every watched
 * loop each half limit; a counter that stays odd and unchanged for the limit means one task has held the
 * loop that long. The loop pays a few plain stores per task and never waits for the monitor. One thread
 * serves all loops because a server runs a loop per core and each sample is a handful of field reads;
 * a thread per loop would only add threads. A report (the stack, the log record) is written by a short-lived
 * thread of its own, so that nothing a report waits for can stop the sampling.
 *
 * <p>The limit is {@code -Dgreenloop.maxBlockingMillis=N} (default {@value #DEFAULT_LIMIT_MILLIS}), read
 * when a loop opens; 0 or less turns the report off for that loop. The time reported is at least how long
 * the task had held the loop (the monitor first sees a task up to half a limit after it started), so a
 * task that holds it a little longer than the limit may go unreported, and a shorter one never is.
 */
final class BlockingMonitor {

    /** The system property that sets the limit, in milliseconds; 0 turns the report off. */
    static final String LIMIT_PROPERTY = "greenloop.maxBlockingMillis";
    /** Its reports go to System.Logger "io.greenloop.BlockingMonitor". */
    private static final SafeLog LOG = SafeLog.of("BlockingMonitor");
    /** gevent's default {@code max_blocking_time} is 0.1 s: long enough that a loop doing real work is not flagged. */
    static final long DEFAULT_LIMIT_MILLIS = 100;
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
        final long limitNanos;
        /** Odd while a task runs; written by the loop thread only. */
        private long ticks;
        private Runnable task;
        private long lastTicks;
        private long firstSeenNanos;
        private long reportedTicks = -1;

        Probe(Loop loop, Thread owner, long limitNanos) {
            this.loop = loop;
            this.owner = owner;
            this.limitNanos = limitNanos;
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

        /** Monitor thread: looks once; reports when the same task has held the loop for the limit. */
        void sample(long now) {
            long seen = (long) TICKS.getAcquire(this);
            if ((seen & 1) == 0 || seen != lastTicks) {
                lastTicks = seen;   // idle, or another task since the last look: a new incident could start here
                firstSeenNanos = now;
                return;
            }
            if (seen == reportedTicks || now - firstSeenNanos < limitNanos) {
                return;
            }
            reportedTicks = seen;
            Runnable running = (Runnable) TASK.getOpaque(this);
            long heldNanos = now - firstSeenNanos;
            // Taking a virtual thread's stack can wait on the JDK; a thread of its own per report (reports
            // are rare: one per incident) keeps any such wait from stopping the sampling of every loop.
            Thread.ofPlatform().daemon().name("greenloop-blocking-report").start(() -> report(seen, running, heldNanos));
        }

        private void report(long seen, Runnable running, long heldNanos) {
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
            LoopEvents.loopBlocked(loop, who, TimeUnit.NANOSECONDS.toMillis(heldNanos), trace.getStackTrace());
        }
    }

    /** The stack of the greenlet or callback that held the loop, attached to the report; never thrown. */
    static final class LoopBlocked extends Throwable {
        LoopBlocked(String message) {
            super(message, null, false, true);
        }
    }

    /** Starts watching {@code loop} (unless the limit turns the report off) and returns its probe. Called as the loop opens. */
    static Probe watch(Loop loop, Thread owner) {
        long limitMillis = limitMillis();
        Probe probe = new Probe(loop, owner, TimeUnit.MILLISECONDS.toNanos(Math.max(0, limitMillis)));
        if (limitMillis > 0) {
            WATCHED.add(probe);
            synchronized (LOCK) {
                if (monitor == null || !monitor.isAlive()) {
                    // A platform thread: started from a greenlet's loop it must not inherit any loop as scheduler.
                    monitor = Thread.ofPlatform().daemon().name("greenloop-blocking-monitor").start(BlockingMonitor::runMonitor);
                }
                LOCK.notifyAll();
            }
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

    /** Stops watching a closed loop. */
    static void unwatch(Probe probe) {
        WATCHED.remove(probe);
    }

    private static void runMonitor() {
        while (true) {
            try {
                long period = awaitWork();
                TimeUnit.NANOSECONDS.sleep(period);
                long now = System.nanoTime();
                for (Probe probe : WATCHED) {
                    if (!probe.owner.isAlive()) {
                        WATCHED.remove(probe); // its thread died without closing the loop
                    } else {
                        probe.sample(now);
                    }
                }
            } catch (InterruptedException e) {
                // Nobody owns this thread but greenloop; an interrupt from elsewhere must not end the monitoring.
                Thread.interrupted();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "the greenloop blocking monitor failed a sample; it goes on", e);
            }
        }
    }

    /**
     * Waits while no loop is watched; then the sampling period: half the smallest limit. The walk is under
     * the lock, and {@link #watch} adds before it notifies under the same lock: a loop watched after an
     * empty walk always ends the wait (a walk outside the lock could find nothing and sleep for ever).
     */
    private static long awaitWork() throws InterruptedException {
        synchronized (LOCK) {
            while (true) {
                long smallest = Long.MAX_VALUE;
                for (Probe probe : WATCHED) {
                    smallest = Math.min(smallest, probe.limitNanos);
                }
                if (smallest != Long.MAX_VALUE) {
                    return Math.max(MIN_PERIOD_NANOS, smallest / 2);
                }
                LOCK.wait();
            }
        }
    }
}
