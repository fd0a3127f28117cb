package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeoutTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void expiresAtTheBlockingPointOfAGreenlet() {
        List<String> events = new ArrayList<>();
        Greenlet<Void> greenlet = Green.spawn(() -> {
            try (Timeout timeout = Timeout.start(Duration.ofMillis(20))) {
                Green.sleep(Duration.ofSeconds(30));
                events.add("slept through");
            } catch (Timeout.Expired expired) {
                events.add("expired");
            }
        });
        greenlet.join(Duration.ofSeconds(10));
        assertEquals(List.of("expired"), events);
    }

    @Test
    void aClosedTimeoutNeverFires() {
        Greenlet<String> greenlet = Green.spawn(() -> {
            Timeout timeout = Timeout.start(Duration.ofMillis(10));
            timeout.close();
            Green.sleep(Duration.ofMillis(50));
            return "finished";
        });
        greenlet.join();
        assertEquals("finished", greenlet.value());
    }

    @Test
    void anExpiryNotYetRaisedIsDroppedByClose() {
        Greenlet<String> greenlet = Green.spawn(() -> {
            Event event = new Event();
            Green.loop().schedule(Duration.ZERO, event::set);
            Timeout timeout = Timeout.start(Duration.ZERO);
            event.await(); // both timers fire in one pass: the set wakes us first, then the timeout fires
            boolean fired = timeout.expiredAlready();
            timeout.close();
            Green.sleep(Duration.ofMillis(5)); // would raise the expiry, had close() not dropped it
            return "survived, fired=" + fired;
        });
        greenlet.join();
        assertEquals("survived, fired=true", greenlet.value(), String.valueOf(greenlet.exception()));
    }

    @Test
    void anOuterTimeoutPropagatesThroughAnInnerWaitWithItsOwnTimeout() {
        Greenlet<Void> greenlet = Green.spawn(() -> {
            try (Timeout outer = Timeout.start(Duration.ofMillis(20))) {
                Timeout.Expired expired = assertThrows(Timeout.Expired.class,
                        () -> new Event().await(Duration.ofSeconds(5)));
                assertSame(outer, expired.timeout());
            }
        });
        greenlet.join();
        assertTrue(greenlet.successful(), String.valueOf(greenlet.exception()));
    }

    @Test
    void nestedTimeoutsKeepTheirIdentity() {
        Greenlet<Void> greenlet = Green.spawn(() -> {
            try (Timeout outer = Timeout.start(Duration.ofSeconds(5))) {
                try (Timeout inner = Timeout.start(Duration.ofMillis(10))) {
                    Timeout.Expired expired = assertThrows(Timeout.Expired.class, () -> Green.sleep(Duration.ofSeconds(1)));
                    assertSame(inner, expired.timeout());
                }
                Green.sleep(Duration.ofMillis(20));
                assertFalse(outer.expiredAlready());
            }
        });
        greenlet.join();
        assertTrue(greenlet.successful(), String.valueOf(greenlet.exception()));
    }

    @Test
    void expiredIsAnErrorSoCatchExceptionDoesNotSwallowIt() {
        List<String> events = new ArrayList<>();
        Greenlet<Void> greenlet = Green.spawn(() -> Green.withTimeout(Duration.ofMillis(10), () -> {
            try {
                Green.sleep(Duration.ofSeconds(30));
            } catch (Exception e) {
                events.add("swallowed");
            }
            return null;
        }));
        greenlet.join();
        assertEquals(List.of(), events);
        assertInstanceOf(Timeout.Expired.class, greenlet.exception());
        loop.takeErrors();
    }

    @Test
    void worksOnTheLoopOwningThread() {
        assertRaisesItsEnclosingTimeout(() -> new Event().await());
    }

    /** Runs {@code wait} under a timeout of 10 ms and checks that the wait raised that very timeout's expiry. */
    static void assertRaisesItsEnclosingTimeout(Executable wait) {
        try (Timeout timeout = Timeout.start(Duration.ofMillis(10))) {
            Timeout.Expired expired = assertThrows(Timeout.Expired.class, wait);
            assertSame(timeout, expired.timeout());
        }
    }

    @Test
    void aNullDurationNeverExpires() {
        try (Timeout none = Timeout.start(null)) {
            Green.sleep(Duration.ofMillis(20));
            assertFalse(none.expiredAlready());
        }
        assertEquals("ran", Green.withTimeout(null, () -> "ran"));
    }

    // gevent's with_timeout(timeout_value=): the fallback instead of Timeout.Expired (test__event's test_set_with_timeout).
    @Test
    void withTimeoutReturnsTheFallbackWhenItsOwnTimeoutExpires() {
        AsyncResult<String> never = new AsyncResult<>();
        assertEquals("fallback", Green.withTimeout(Duration.ofMillis(10), () -> never.get(), "fallback"));
        assertEquals("fast", Green.withTimeout(Duration.ofSeconds(5), () -> "fast", "fallback"));
    }

    @Test
    void anOuterTimeoutStillPropagatesThroughAFallback() {
        try (Timeout outer = Timeout.start(Duration.ofMillis(10))) {
            Timeout.Expired expired = assertThrows(Timeout.Expired.class,
                    () -> Green.withTimeout(Duration.ofSeconds(30), () -> {
                        Green.sleep(Duration.ofSeconds(30));
                        return "slept";
                    }, "fallback"));
            assertSame(outer, expired.timeout());
        }
    }
}
