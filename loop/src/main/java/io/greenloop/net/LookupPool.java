package io.greenloop.net;

import io.greenloop.AsyncResult;
import io.greenloop.internal.PoolTasks;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The threads {@link Dns} runs lookups on, with two bounds so that slow names a peer chooses cannot stall
 * every lookup of the JVM: at most {@code threads + maxQueued} lookups are admitted at once (the next
 * caller parks cooperatively, FIFO, until one ends), and a caller waits at most {@code timeout} in all,
 * queueing included, then gets an {@link UnknownHostException} saying so. A lookup that timed out keeps
 * its thread and its place until the JDK's native call returns (it cannot be interrupted), so a flood of
 * hanging names fills the bound rather than piling up threads or memory.
 *
 * <p>Thread rule: any thread. A greenlet parks, a loop's owner thread drives its loop, any other thread blocks.
 */
final class LookupPool {

    /** A lookup thread idle this long ends: most programs look a few names up at start and then rarely. */
    private static final long IDLE_SECONDS = 30;

    private final ThreadPoolExecutor executor;
    private final int capacity;
    private final Duration timeout;
    /** Lookups queued or running; guarded by {@code this}. */
    private int admitted;
    /** Callers waiting for a place, first come first served; guarded by {@code this}. */
    private final ArrayDeque<AsyncResult<Void>> waiting = new ArrayDeque<>();

    LookupPool(int threads, int maxQueued, Duration timeout, String name) {
        if (threads < 1 || maxQueued < 0 || !timeout.isPositive()) {
            throw new IllegalArgumentException("a lookup pool needs a thread, a queue of 0 or more and a positive timeout: "
                    + threads + ", " + maxQueued + ", " + timeout);
        }
        this.capacity = threads + maxQueued;
        this.timeout = timeout;
        this.executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name(name + "-", 1).daemon().inheritInheritableThreadLocals(false).factory());
        executor.allowCoreThreadTimeOut(true);
    }

    /** The longest a caller waits for a lookup, queueing included. */
    Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code lookup} on a lookup thread and waits for it, at most {@link #timeout()} in all; rethrows
     * what it threw ({@link UnknownHostException} and unchecked ones as they are, others wrapped in one
     * naming {@code what}).
     */
    <T> T run(String what, Callable<T> lookup) throws UnknownHostException {
        long deadline = System.nanoTime() + timeout.toNanos();
        AsyncResult<T> result = submit(what, lookup, deadline);
        try {
            return result.get(remaining(deadline));
        } catch (TimeoutException e) {
            throw withCause(new UnknownHostException(what + ": no answer within " + timeout.toMillis()
                    + " ms (the lookup timeout, -D" + Dns.TIMEOUT_PROPERTY + ")"), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            switch (cause) {
                case UnknownHostException unknown -> throw unknown;
                case RuntimeException unchecked -> throw unchecked;
                case Error error -> throw error;
                default -> {
                }
            }
            throw withCause(new UnknownHostException(what + ": " + cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw withCause(new UnknownHostException(what + ": the lookup was interrupted"), e);
        }
    }

    /** Waits for a place (until {@code deadline}), then queues {@code lookup}; the place is given back when it ends. */
    <T> AsyncResult<T> submit(String what, Callable<T> lookup, long deadline) throws UnknownHostException {
        Objects.requireNonNull(lookup, "lookup");
        admit(what, deadline);
        AsyncResult<T> result = new AsyncResult<>();
        try {
            executor.execute(() -> runAndRelease(lookup, result));
        } catch (RejectedExecutionException e) {
            release();
            throw e;
        }
        return result;
    }

    private <T> void runAndRelease(Callable<T> lookup, AsyncResult<T> result) {
        try {
            PoolTasks.runInto(lookup, result);
        } finally {
            release();
        }
    }

    private void admit(String what, long deadline) throws UnknownHostException {
        AsyncResult<Void> turn;
        synchronized (this) {
            if (admitted < capacity) {
                admitted++;
                return;
            }
            turn = new AsyncResult<>();
            waiting.add(turn);
        }
        try {
            turn.get(remaining(deadline));
        } catch (TimeoutException e) {
            if (giveUp(turn)) {
                throw withCause(new UnknownHostException(what + ": " + capacity + " lookups were already running or queued for "
                        + timeout.toMillis() + " ms (the lookup timeout, -D" + Dns.TIMEOUT_PROPERTY + ")"), e);
            }
        } catch (InterruptedException e) {
            giveUpOrRelease(turn);
            Thread.currentThread().interrupt();
            throw withCause(new UnknownHostException(what + ": interrupted while waiting for a lookup thread"), e);
        } catch (ExecutionException e) {
            throw new AssertionError("a turn is never failed", e);
        } catch (Throwable killed) {
            giveUpOrRelease(turn);
            throw killed;
        }
    }

    /** Whether {@code turn} was still waiting (so it is removed); {@code false}: a place was handed to it meanwhile. */
    private synchronized boolean giveUp(AsyncResult<Void> turn) {
        return waiting.remove(turn);
    }

    private void giveUpOrRelease(AsyncResult<Void> turn) {
        if (!giveUp(turn)) {
            release();
        }
    }

    /** A lookup ended (or a caller left with its place): the place goes to the first waiter, else back to the pool. */
    private void release() {
        AsyncResult<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                admitted--;
                return;
            }
        }
        try {
            next.set(null);
        } catch (RuntimeException callerGone) {
            release(); // its loop closed: pass the place on
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static UnknownHostException withCause(UnknownHostException e, Throwable cause) {
        e.initCause(cause);
        return e;
    }
}
