package io.greenloop.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a wait must end, on {@link System#nanoTime()}'s clock, or {@link #NONE}: greenloop's one conversion between
 * a {@link Duration} and a deadline, with the public API's rules for durations:
 * <ul>
 *   <li>{@code null} means no limit ({@link #NONE});</li>
 *   <li>a wait bound at or below zero means "do not wait" ({@code java.util.concurrent}'s rule): a deadline that
 *       has passed already;</li>
 *   <li>a bound longer than {@value #MAX_NANOS} ns (about 73 years) counts as that long: it saturates instead of
 *       overflowing into the past, and two deadlines stay close enough to compare by subtraction;</li>
 *   <li>a negative <em>setting</em> (a socket's timeout, an option) is a mistake: {@link #checkSetting} refuses it.</li>
 * </ul>
 * Immutable; any thread.
 */
public final class Deadline {

    /** The longest bound counted, 2<sup>61</sup> ns: {@code now} plus it, or the difference of two deadlines, never overflows. */
    public static final long MAX_NANOS = Long.MAX_VALUE / 4;

    /** No deadline: a wait without limit. */
    public static final Deadline NONE = new Deadline(0);

    private final long at;

    private Deadline(long at) {
        this.at = at;
    }

    /**
     * The deadline {@code bound} from now: {@link #NONE} for {@code null}, a passed one for a bound at or below zero.
     *
     * @param bound how long a wait may last; {@code null}: no limit
     * @return the deadline
     */
    public static Deadline after(Duration bound) {
        return bound == null ? NONE : new Deadline(System.nanoTime() + nanos(bound));
    }

    /**
     * A {@code java.util.concurrent} bound ({@code timeout} in {@code unit}) as a {@link Duration}: at or below zero
     * it stays one (do not wait), and {@code Long.MAX_VALUE} days is as good as forever.
     *
     * @param timeout the bound, in {@code unit}
     * @param unit the unit of {@code timeout}
     * @return the bound
     */
    public static Duration bound(long timeout, TimeUnit unit) {
        return Duration.ofNanos(unit.toNanos(timeout));
    }

    /**
     * {@code bound} in nanoseconds, from 0 (at or below zero: do not wait) to {@link #MAX_NANOS} (saturated).
     *
     * @param bound how long a wait may last
     * @return its nanoseconds, saturated
     */
    public static long nanos(Duration bound) {
        if (!bound.isPositive()) {
            return 0;
        }
        try {
            return Math.min(bound.toNanos(), MAX_NANOS);
        } catch (ArithmeticException tooLongToCount) {
            return MAX_NANOS;
        }
    }

    /**
     * Refuses a negative setting with {@link IllegalArgumentException} naming {@code what}; {@code null} (no limit)
     * and zero (do not wait) pass.
     *
     * @param setting the duration a caller sets
     * @param what what it sets, for the message ("a socket timeout")
     * @return {@code setting}
     */
    public static Duration checkSetting(Duration setting, String what) {
        if (setting != null && setting.isNegative()) {
            throw new IllegalArgumentException(what + " cannot be negative (" + setting
                    + "); use null for no limit, or zero for one that never waits");
        }
        return setting;
    }

    /**
     * Whether this is {@link #NONE}.
     *
     * @return whether this is {@link #NONE}
     */
    public boolean isNone() {
        return this == NONE;
    }

    /**
     * The deadline on {@link System#nanoTime()}'s clock, for a timer.
     *
     * @return the deadline on {@link System#nanoTime()}'s clock
     * @throws IllegalStateException for {@link #NONE}, which has none
     */
    public long nanoTime() {
        if (this == NONE) {
            throw new IllegalStateException("a wait without limit has no deadline to arm a timer for");
        }
        return at;
    }

    /**
     * Nanoseconds left: 0 once it has passed, {@link Long#MAX_VALUE} for {@link #NONE}.
     *
     * @return the nanoseconds left
     */
    public long nanosLeft() {
        return this == NONE ? Long.MAX_VALUE : Math.max(0, at - System.nanoTime());
    }

    /**
     * Whether it has passed ({@link #NONE} never does).
     *
     * @return whether it has passed
     */
    public boolean passed() {
        return nanosLeft() == 0;
    }

    /**
     * The time left as a wait bound: {@code null} for {@link #NONE}, {@link Duration#ZERO} once it has passed.
     *
     * @return the time left, or {@code null} for no limit
     */
    public Duration remaining() {
        return this == NONE ? null : Duration.ofNanos(nanosLeft());
    }

    /**
     * How a message says that {@code bound} ran out: "after 250 ms", or for a bound at or below zero "at once (a
     * timeout of -1 ms means: do not wait)", so that no message claims it waited -1 ms.
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

    @Override
    public String toString() {
        return this == NONE ? "Deadline[none]" : "Deadline[in " + nanosLeft() + " ns]";
    }
}
