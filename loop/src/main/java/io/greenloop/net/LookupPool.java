package io.greenloop.net;

import io.greenloop.AsyncResult;
import io.greenloop.internal.Deadline;
import io.greenloop.lowlevel.LowLevel;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The threads {@link Dns} runs lookups on, built so that lookups nobody waits for cannot lock out the others.
 * A name server a peer chooses can make a lookup hang for as long as the JDK's native call takes, and that
 * call cannot be interrupted; so:
 * <ul>
 *   <li>a caller waits at most {@code timeout}, queueing included, then gets an {@link UnknownHostException}
 *       saying so, and leaves the lookup;</li>
 *   <li>callers of one name (and kind of lookup) share one lookup while it is queued or running, so a name
 *       asked for again and again holds one thread at most;</li>
 *   <li>a queued lookup whose every caller has left is dropped: it never runs;</li>
 *   <li>a running lookup whose every caller has left is written off: it keeps its thread until the native call
 *       returns, but no longer counts against the {@code threads} lookups that run at once, so a fresh lookup gets
 *       a thread of its own instead of queueing behind calls nobody will read. At most {@code maxAbandoned} such
 *       threads are written off; beyond that, abandoned calls count again, and fresh lookups wait (up to their
 *       timeout) until one returns, so that a flood of hanging names costs a bounded number of threads;</li>
 *   <li>queued lookups start newest first: the oldest are those whose callers are about to give up, and starting
 *       them when a thread frees would mostly add one more hanging call nobody waits for (a burst of hanging
 *       names then holds about twice {@code threads} threads, not one per name).</li>
 * </ul>
 * A thread with nothing to do ends after {@link #IDLE} (30 s); at most {@code threads} wait that long.
 *
 * <p>Thread rule: any thread. A greenlet parks, a loop's owner thread drives its loop, any other thread blocks.
 */
final class LookupPool {

    /** A lookup thread idle this long ends: most programs look a few names up at start and then rarely. */
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final int threads;
    private final int maxAbandoned;
    private final Duration timeout;
    private final ThreadFactory threadFactory;
    /** Queued and running lookups by {@link Lookup#key}: a later caller of the same lookup joins it. Guarded by {@code this}. */
    private final Map<String, Lookup<?>> inFlight = new HashMap<>();
    /** Lookups waiting for a thread, oldest first; taken from the newest end. Guarded by {@code this}. */
    private final ArrayDeque<Lookup<?>> queued = new ArrayDeque<>();
    /** Threads waiting for a lookup, at most {@link #threads}. Guarded by {@code this}. */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    /** Lookups on a thread, and how many of those nobody waits for any more. Guarded by {@code this}. */
    private int running;
    private int abandoned;

    LookupPool(int threads, int maxAbandoned, Duration timeout, String name) {
        if (threads < 1 || maxAbandoned < 0 || timeout == null || !timeout.isPositive()) {
            throw new IllegalArgumentException("a lookup pool needs a thread, 0 or more threads to write off and a positive"
                    + " timeout: " + threads + ", " + maxAbandoned + ", " + timeout);
        }
        this.threads = threads;
        this.maxAbandoned = maxAbandoned;
        this.timeout = timeout;
        this.threadFactory = Thread.ofPlatform().name(name + "-", 1).daemon().inheritInheritableThreadLocals(false).factory();
    }

    /** The longest a caller waits for a lookup, queueing included. */
    Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code lookup} on a lookup thread, or joins the same lookup when one for {@code kind} and {@code what} is
     * queued or running already, and waits for it, at most {@link #timeout()} in all; rethrows what it threw
     * ({@link UnknownHostException} and unchecked ones as they are, others wrapped in one naming {@code what}). Two
     * calls with the same {@code kind} and {@code what} must mean the same lookup, with the same result type.
     */
    <T> T run(String kind, String what, Callable<T> lookup) throws UnknownHostException {
        Objects.requireNonNull(lookup, "lookup");
        Deadline deadline = Deadline.after(timeout);
        AsyncResult<T> answer = new AsyncResult<>();
        Lookup<T> joined = join(kind + " " + what, what, lookup, answer);
        try {
            return answer.get(deadline.remaining());
        } catch (TimeoutException e) {
            throw withCause(new UnknownHostException(what + ": " + (joined.started() ? "no answer" : "no lookup thread free")
                    + " within " + timeout.toMillis() + " ms (the lookup timeout, -D" + Dns.TIMEOUT_PROPERTY + ")"), e);
        } catch (ExecutionException e) {
            throw rethrown(what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw withCause(new UnknownHostException(what + ": the lookup was interrupted"), e);
        } finally {
            if (leave(joined, answer)) {
                Dns.LOG.log(System.Logger.Level.WARNING, "more than {0} lookups nobody waits for any more still hang in the"
                        + " JDK''s native call (a name server that does not answer?); new lookups now wait for one to end", maxAbandoned);
            }
        }
    }

    private static UnknownHostException rethrown(String what, Throwable cause) {
        switch (cause) {
            case UnknownHostException unknown -> {
                return unknown;
            }
            case RuntimeException unchecked -> throw unchecked;
            case Error error -> throw error;
            default -> {
                return withCause(new UnknownHostException(what + ": " + cause), cause);
            }
        }
    }

    /** Adds {@code answer} to the lookup in flight for {@code key}, or queues a new one. */
    @SuppressWarnings("unchecked")
    private synchronized <T> Lookup<T> join(String key, String what, Callable<T> call, AsyncResult<T> answer) {
        Lookup<T> lookup = (Lookup<T>) inFlight.get(key);
        if (lookup == null) {
            lookup = new Lookup<>(key, what, call);
            inFlight.put(key, lookup);
            queued.addLast(lookup);
        } else if (lookup.callers.isEmpty()) {
            abandoned--; // a running call nobody waited for has a caller again
        }
        lookup.callers.add(answer);
        dispatch();
        return lookup;
    }

    /**
     * {@code answer}'s caller has its answer or gave up; a lookup left without callers is dropped or written off.
     * Returns whether that took the abandoned calls past {@link #maxAbandoned}, which is worth a warning.
     */
    private synchronized <T> boolean leave(Lookup<T> lookup, AsyncResult<T> answer) {
        if (!lookup.callers.remove(answer) || !lookup.callers.isEmpty()) {
            return false;
        }
        if (!lookup.started()) {
            queued.remove(lookup);
            inFlight.remove(lookup.key);
            return false;
        }
        abandoned++;
        dispatch();
        return abandoned == maxAbandoned + 1;
    }

    /** Whether one more lookup may start: abandoned calls do not count, up to {@link #maxAbandoned} of them. */
    private boolean mayStart() {
        return running - Math.min(abandoned, maxAbandoned) < threads;
    }

    /** Starts queued lookups, newest first, while {@link #mayStart()}: on an idle thread, else on a new one. */
    private void dispatch() {
        while (!queued.isEmpty() && mayStart()) {
            Lookup<?> lookup = queued.pollLast();
            lookup.started = true;
            running++;
            Worker worker = idle.pollLast();
            if (worker != null) {
                worker.next = lookup;
                notifyAll();
            } else {
                startWorker(lookup);
            }
        }
    }

    private void startWorker(Lookup<?> lookup) {
        Worker worker = new Worker(lookup);
        try {
            threadFactory.newThread(worker).start();
        } catch (RuntimeException | OutOfMemoryError cannotStart) {
            // No thread for it: its callers learn why at once rather than at their timeout.
            running--;
            inFlight.remove(lookup.key);
            lookup.fail(cannotStart);
        }
    }

    /** A lookup ended: it leaves the books; returns its callers, to be answered outside the lock. */
    private synchronized <T> List<AsyncResult<T>> finished(Lookup<T> lookup) {
        running--;
        if (lookup.callers.isEmpty()) {
            abandoned--;
        }
        inFlight.remove(lookup.key);
        List<AsyncResult<T>> callers = new ArrayList<>(lookup.callers);
        lookup.callers.clear();
        return callers;
    }

    /** The next lookup for {@code worker}, waiting for one up to {@link #IDLE}; null: the thread ends. */
    private synchronized Lookup<?> nextFor(Worker worker) {
        if (idle.size() >= threads) {
            return null;
        }
        idle.addLast(worker);
        dispatch();
        Deadline idleEnd = Deadline.after(IDLE);
        while (worker.next == null) {
            long left = idleEnd.nanosLeft();
            if (left == 0) {
                idle.remove(worker);
                return null;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException nobodyInterruptsThese) {
                if (worker.next == null) {
                    idle.remove(worker);
                    return null;
                }
            }
        }
        Lookup<?> next = worker.next;
        worker.next = null;
        return next;
    }

    /** A lookup thread: runs the lookup it was started for, then whatever {@link #nextFor} hands it. */
    private final class Worker implements Runnable {
        /** Handed over by {@link #dispatch()}; guarded by the pool. */
        private Lookup<?> next;
        private final Lookup<?> first;

        Worker(Lookup<?> first) {
            this.first = first;
        }

        @Override
        public void run() {
            for (Lookup<?> lookup = first; lookup != null; lookup = nextFor(this)) {
                lookup.runAndAnswer();
            }
        }
    }

    /** One lookup and the callers waiting for it. */
    private final class Lookup<T> {
        final String key;
        final String what;
        final Callable<T> call;
        /** Each caller's own result (callers may be on different loops); guarded by the pool. */
        final List<AsyncResult<T>> callers = new ArrayList<>(1);
        /** Whether it left the queue for a thread; written under the pool's lock, read by a caller that timed out. */
        private volatile boolean started;

        Lookup(String key, String what, Callable<T> call) {
            this.key = key;
            this.what = what;
            this.call = call;
        }

        boolean started() {
            return started;
        }

        void runAndAnswer() {
            LowLevel.runCatching(call, (value, failure) -> {
                for (AsyncResult<T> caller : finished(this)) {
                    LowLevel.complete(caller, value, failure);
                }
            });
        }

        void fail(Throwable failure) {
            for (AsyncResult<T> caller : callers) {
                LowLevel.complete(caller, null, failure);
            }
            callers.clear();
        }

        @Override
        public String toString() {
            return "lookup of " + what;
        }
    }

    private static UnknownHostException withCause(UnknownHostException e, Throwable cause) {
        e.initCause(cause);
        return e;
    }
}
