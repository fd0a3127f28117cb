package io.greenloop;

import java.time.Duration;

/**
 * A greenlet that wakes every few milliseconds and counts: while it keeps ticking, nothing holds the loop.
 * Tests start one beside the work under test and look at {@link #ticks()} and {@link #longestGapMillis()}.
 */
public final class Ticker {

    private final Greenlet<Void> greenlet;
    /** Volatile: threads other than the loop's wait for it (written by the ticker greenlet only). */
    private volatile int ticks;
    private long longestGapNanos;

    private Ticker(Duration period, Duration lifetime) {
        greenlet = Green.spawn(() -> {
            long last = System.nanoTime();
            long end = lifetime == null ? 0 : last + lifetime.toNanos();
            while (lifetime == null || System.nanoTime() - end < 0) {
                Green.sleep(period);
                long now = System.nanoTime();
                longestGapNanos = Math.max(longestGapNanos, now - last);
                last = now;
                ticks = ticks + 1;
            }
        });
    }

    /** Starts a ticker greenlet on the calling thread's loop. */
    public static Ticker start(Duration period) {
        return new Ticker(period, null);
    }

    /** Starts a ticker greenlet that ends by itself after {@code lifetime}. */
    public static Ticker startFor(Duration period, Duration lifetime) {
        return new Ticker(period, lifetime);
    }

    /** Ticks so far. */
    public int ticks() {
        return ticks;
    }

    /** The longest time between two ticks so far. */
    public long longestGapMillis() {
        return longestGapNanos / 1_000_000;
    }

    /** Kills the ticker greenlet. */
    public void stop() {
        greenlet.kill();
    }

    @Override
    public String toString() {
        return ticks + " ticks, longest gap " + longestGapMillis() + " ms";
    }
}
