package io.greenloop.internal;

import java.time.Duration;

/**
 * How greenloop's messages describe a wait bound that ran out. A bound of zero or less means "do not
 * wait" (the {@code java.util.concurrent} convention), and a message must not claim it waited "after
 * -1 ms". Any thread.
 */
public final class WaitBounds {

    private WaitBounds() {
    }

    /** "after 250 ms", or for a bound of zero or less "at once (a timeout of -1 ms means: do not wait)". */
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
