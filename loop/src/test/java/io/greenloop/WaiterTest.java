package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaiterTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void onlyTheFirstWakeUpCounts() {
        Waiter<String> waiter = new Waiter<>("test wait");
        Loop.current().execute(() -> {
            waiter.wake("first");
            waiter.wake("second");
            waiter.wakeWithError(new IllegalStateException("too late"));
        });
        assertEquals("first", waiter.get());
    }

    @Test
    void anErrorIsRaisedInTheWaiterAsItself() {
        Waiter<String> waiter = new Waiter<>("test wait");
        IOException error = new IOException("from the loop");
        Loop.current().execute(() -> waiter.wakeWithError(error));
        Throwable raised = assertThrows(IOException.class, waiter::get);
        assertSame(error, raised);
    }

    @Test
    void awaitTimesOutAndAWakeUpAfterwardsIsIgnored() {
        Waiter<String> waiter = new Waiter<>("test wait");
        assertFalse(waiter.await(Duration.ofMillis(5)));
        waiter.wake("late");
        assertFalse(waiter.isWoken());
    }

    @Test
    void aGreenletParksUntilTheLoopWakesIt() throws Exception {
        Greenlet<String> greenlet = Green.spawn(() -> {
            Waiter<String> waiter = new Waiter<>("test wait");
            Green.loop().schedule(Duration.ofMillis(10), () -> waiter.wake("woken by a timer"));
            return waiter.get();
        });
        assertEquals("woken by a timer", greenlet.get());
        assertTrue(greenlet.successful());
    }

    @Test
    void aThreadWithoutALoopGetsItsDefaultLoop() throws Exception {
        assertTrue(StrandTest.onAFreshThread(() -> new Waiter<String>("test wait").await(Duration.ofMillis(1))).opened());
    }
}
