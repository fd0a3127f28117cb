package io.greenloop.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules for durations, in the one place that turns them into deadlines and back. */
class DeadlineTest {

    @Test
    void nullIsNoLimit() {
        Deadline none = Deadline.after(null);
        assertSame(Deadline.NONE, none);
        assertTrue(none.isNone());
        assertFalse(none.passed());
        assertNull(none.remaining());
        assertEquals(Long.MAX_VALUE, none.nanosLeft());
        assertThrows(IllegalStateException.class, none::nanoTime);
    }

    @Test
    void aBoundAtOrBelowZeroMeansDoNotWait() {
        for (Duration bound : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), Duration.ofDays(-1),
                Duration.ofSeconds(Long.MIN_VALUE)}) {
            Deadline deadline = Deadline.after(bound);
            assertTrue(deadline.passed(), bound::toString);
            assertEquals(Duration.ZERO, deadline.remaining(), bound::toString);
            assertEquals(0, Deadline.nanos(bound), bound::toString);
        }
    }

    @Test
    void aBoundTooLongToCountSaturatesInsteadOfOverflowing() {
        long before = System.nanoTime();
        for (Duration bound : new Duration[] {Duration.ofNanos(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE),
                Deadline.bound(Long.MAX_VALUE, TimeUnit.DAYS)}) {
            Deadline deadline = Deadline.after(bound);
            assertFalse(deadline.passed(), bound::toString);
            assertEquals(Deadline.MAX_NANOS, Deadline.nanos(bound), bound::toString);
            assertTrue(deadline.nanoTime() - before > 0, "the deadline lies ahead, not in the past: " + bound);
            assertTrue(deadline.nanosLeft() <= Deadline.MAX_NANOS, bound::toString);
        }
    }

    @Test
    void anOrdinaryBoundCountsDown() {
        Deadline deadline = Deadline.after(Duration.ofHours(1));
        long left = deadline.nanosLeft();
        assertTrue(left > 0 && left <= TimeUnit.HOURS.toNanos(1), () -> left + " ns");
        assertTrue(deadline.remaining().compareTo(Duration.ofHours(1)) <= 0);
    }

    @Test
    void aNegativeSettingIsRefusedNullAndZeroPass() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> Deadline.checkSetting(Duration.ofMillis(-1), "a socket timeout"));
        assertTrue(refused.getMessage().startsWith("a socket timeout cannot be negative (PT-0.001S)"), refused::getMessage);
        assertNull(Deadline.checkSetting(null, "a socket timeout"));
        assertSame(Duration.ZERO, Deadline.checkSetting(Duration.ZERO, "a socket timeout"));
    }

    @Test
    void messagesNeverClaimANegativeWait() {
        assertEquals("after 250 ms", Deadline.waited(Duration.ofMillis(250)));
        assertEquals("at once (a timeout of -1 ms means: do not wait)", Deadline.waited(Duration.ofMillis(-1)));
        assertEquals("after " + Duration.ofSeconds(Long.MAX_VALUE), Deadline.waited(Duration.ofSeconds(Long.MAX_VALUE)));
    }
}
