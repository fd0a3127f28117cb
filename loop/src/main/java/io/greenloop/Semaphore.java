package io.greenloop;

import java.time.Duration;
import java.util.Objects;

/**
 * A counting semaphore for greenlets, gevent's {@code Semaphore} and {@code BoundedSemaphore}:
 * {@link #acquire()} takes a permit, parking while there is none, and {@link #release()} gives one back.
 * Waiters are served in arrival order: a released permit is handed straight to the longest-waiting
 * greenlet, so none can barge in ahead of it. A greenlet killed (or timed out) while parked never keeps
 * a permit: one handed to it just before the kill is passed on.
 *
 * <p>{@code new Semaphore(n)} may be released any number of times, growing past {@code n}, as gevent's
 * {@code Semaphore}; {@link #bounded(int) Semaphore.bounded(n)} refuses to release more than was acquired,
 * as gevent's {@code BoundedSemaphore}, with an {@link IllegalStateException}.
 *
 * <p>It is also a {@link Waitable}: ready while a permit is free, so {@link Green#iwait} and
 * {@link Green#waitAll(java.util.Collection, Duration)} can wait for one (without taking it).
 *
 * <p>Thread rule: it belongs to the loop that first uses it; use it inside that loop's greenlets or on
 * its owner thread (where {@code acquire} drives the loop). Other threads get an
 * {@link IllegalStateException}.
 */
public final class Semaphore implements Waitable {

    private final LoopBinding binding = new LoopBinding();
    private final Links links = new Links(this, null, false);
    private final WaitQueue<Boolean> waiters = new WaitQueue<>();
    /** What a waiter killed just after it was handed a permit does with it; made once, not per wait. */
    private final java.util.function.Consumer<Boolean> passOn = permit -> release();
    private final int bound;
    private int available;

    /**
     * A semaphore with {@code permits} free permits (0 or more); {@link #release()} may add more.
     *
     * @param permits the number of permits
     */
    public Semaphore(int permits) {
        this(permits, Integer.MAX_VALUE);
    }

    private Semaphore(int permits, int bound) {
        if (permits < 0) {
            throw new IllegalArgumentException("a semaphore needs 0 or more permits, not " + permits);
        }
        this.available = permits;
        this.bound = bound;
    }

    /**
     * A bounded semaphore (gevent's {@code BoundedSemaphore}) with {@code permits} free permits: releasing
     * it when all {@code permits} are free already throws {@link IllegalStateException}, which catches
     * a release without its acquire.
     *
     * @param permits the number of permits
     * @return a bounded semaphore
     */
    public static Semaphore bounded(int permits) {
        return new Semaphore(permits, permits);
    }

    /** Takes a permit, parking (FIFO behind earlier waiters) until one is free. Honours kill and {@link Timeout}. */
    public void acquire() {
        acquire(null);
    }

    /**
     * Takes a permit, parking until one is free or {@code timeout} passes ({@code null}: no limit; zero or
     * less: do not park); {@code true} when it got one.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when it got a permit
     */
    public boolean acquire(Duration timeout) {
        if (tryAcquire()) {
            return true;
        }
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            return false;
        }
        return waiters.park(binding.caller(), "Semaphore.acquire()", null, timeout, passOn) != null;
    }

    /**
     * Takes a permit if one is free, never parking; {@code true} when it got one.
     *
     * @return {@code true} when it got a permit
     */
    public boolean tryAcquire() {
        binding.check(this, "Semaphore.acquire");
        // Permits are handed straight to waiters, so a free permit means nobody waits: taking it is fair.
        if (available > 0) {
            available--;
            return true;
        }
        return false;
    }

    /**
     * Gives a permit back: to the longest-waiting greenlet if any, else to the free count. Never parks.
     * On a {@link #bounded} semaphore whose permits are all free it throws {@link IllegalStateException}.
     */
    public void release() {
        binding.check(this, "Semaphore.release");
        if (waiters.wakeFirst(Boolean.TRUE) != null) {
            return;
        }
        if (available >= bound) {
            throw new IllegalStateException("released a bounded semaphore more often than it was acquired: all "
                    + bound + " permits are free already; release only after a successful acquire");
        }
        available++;
        links.notifyLinks();
    }

    /**
     * How many permits are free now. Never parks.
     *
     * @return how many permits are free now
     */
    public int available() {
        return available;
    }

    /** Whether a permit is free now. */
    @Override
    public boolean ready() {
        return available > 0;
    }

    /** Runs {@code callback} on the loop once a permit is free (without taking it). Loop thread only. */
    @Override
    public Cancellable onReady(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        binding.check(this, "Semaphore.onReady");
        return links.add(callback);
    }

    @Override
    public String toString() {
        return "Semaphore[available " + available + (bound != Integer.MAX_VALUE ? " of " + bound : "")
                + ", waiters " + waiters.size() + "]";
    }
}
