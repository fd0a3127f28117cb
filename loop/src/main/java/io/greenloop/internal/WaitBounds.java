package io.greenloop.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How greenloop's messages describe a wait bound that ran out. A bound of zero or less means "do not
 * wait" (the {@code java.util.concurrent} convention), and a message must not claim it waited "after
 * -1 ms". Any thread.
 */
public final class WaitBounds {

    private WaitBounds() {
    }

    /**
     * A {@code java.util.concurrent} bound ({@code timeout} in {@code unit}) as a {@link Duration} that a deadline
     * ({@code now + bound}) cannot overflow: {@code get(Long.MAX_VALUE, DAYS)} means "forever", and 73 years is
     * forever here. A bound of zero or less stays one.
     *
     * @param timeout the bound, in {@code unit}
     * @param unit the unit of {@code timeout}
     * @return a {@code java.util.concurrent} bound
     */
    public static Duration of(long timeout, TimeUnit unit) {
        return Duration.ofNanos(Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 4));
    }

    /**
     * "after 250 ms", or for a bound of zero or less "at once (a timeout of -1 ms means: do not wait)".
     *
     * @param bound the bound that ran out
     * @return the phrase
     */
    public static String waited(Duration bound) {
        return bound.isPositive() ? "after " + inMillis(bound)
                : "at once (a timeout of " + inMillis(bound) + " means: do not wait)";
    }

    /** "250 ms", or the ISO form for a bound too long to count in milliseconds. */
    private static String inMillis(Duration bound) {
        try {
            return bound.toMillis() + " ms";
        } catch (ArithmeticException e) {
            return bound.toString();
        }
    }
}
