package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gevent's test__semaphore.py re-expressed, plus fairness and kill-while-parked cases. */
class SemaphoreTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void acquireReturnsFalseAfterTimeout() {
        Semaphore semaphore = new Semaphore(0);
        long start = System.nanoTime();
        assertFalse(semaphore.acquire(Duration.ofMillis(20)));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(15).toNanos(), "it waited for the timeout");
        assertEquals(0, semaphore.available());
    }

    @Test
    void zeroTimeoutAndTryAcquireNeverPark() {
        Semaphore semaphore = new Semaphore(1);
        assertTrue(semaphore.tryAcquire());
        assertFalse(semaphore.tryAcquire());
        assertFalse(semaphore.acquire(Duration.ZERO));
        assertFalse(semaphore.acquire(Duration.ofMillis(-5)));
    }

    @Test
    void plainSemaphoreCanBeReleasedPastItsInitialPermits() {
        Semaphore semaphore = new Semaphore(1);
        semaphore.acquire();
        assertEquals(0, semaphore.available());
        semaphore.release();
        semaphore.release();
        assertEquals(2, semaphore.available());
    }

    @Test
    void boundedSemaphoreRefusesAnExtraRelease() {
        Semaphore semaphore = Semaphore.bounded(2);
        semaphore.acquire();
        semaphore.release();
        IllegalStateException error = assertThrows(IllegalStateException.class, semaphore::release);
        assertTrue(error.getMessage().contains("more often than it was acquired"), error.getMessage());
        assertEquals(2, semaphore.available());
    }

    @Test
    void boundedSemaphoreHandsAReleaseToAWaiter() {
        Semaphore semaphore = Semaphore.bounded(1);
        semaphore.acquire();
        Greenlet<Boolean> waiter = Green.spawn(() -> semaphore.acquire(Duration.ofSeconds(5)));
        Green.sleep();
        semaphore.release();
        waiter.join();
        assertEquals(Boolean.TRUE, waiter.value());
        assertEquals(0, semaphore.available());
    }

    @Test
    void negativePermitsAreRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertTrue(error.getMessage().contains("-1"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Semaphore.bounded(-3));
    }

    @Test
    void releaseWakesWaitersInArrivalOrder() {
        Semaphore semaphore = new Semaphore(0);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            Green.spawn(() -> {
                semaphore.acquire();
                order.add(id);
            });
        }
        Green.sleep();
        for (int i = 0; i < 5; i++) {
            semaphore.release();
            Green.sleep(Duration.ofMillis(1));
        }
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    @Test
    void aReleasedPermitGoesToTheWaiterNotToABarger() {
        Semaphore semaphore = new Semaphore(0);
        Greenlet<Void> waiter = Green.spawn(() -> semaphore.acquire());
        Green.sleep();
        semaphore.release();
        assertFalse(semaphore.tryAcquire(), "the permit was handed to the parked greenlet");
        assertEquals(0, semaphore.available());
        waiter.join();
        assertTrue(waiter.successful());
    }

    /** gevent's test_fair_or_hangs: greenlets that release and re-acquire at once cannot starve a parked one. */
    @Test
    void greenletsThatReacquireAtOnceCannotStarveAWaiter() {
        Semaphore semaphore = new Semaphore(1);
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger roundsWhenServed = new AtomicInteger(-1);
        boolean[] stop = {false};
        List<Greenlet<Void>> hogs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            hogs.add(Green.spawn(() -> {
                while (!stop[0]) {
                    semaphore.acquire();
                    rounds.incrementAndGet();
                    Green.sleep();
                    semaphore.release();
                }
            }));
        }
        Greenlet<Void> starving = Green.spawn(() -> {
            semaphore.acquire();
            roundsWhenServed.set(rounds.get());
            semaphore.release();
        });
        assertTrue(starving.join(Duration.ofSeconds(5)), "the third greenlet got the permit");
        assertTrue(roundsWhenServed.get() <= 3, "served after " + roundsWhenServed.get() + " rounds of the others");
        stop[0] = true;
        Green.joinAll(hogs, Duration.ofSeconds(5));
        assertEquals(1, semaphore.available());
    }

    @Test
    void ownerThreadWithNothingPendingGetsLoopExit() {
        Semaphore semaphore = new Semaphore(0);
        LoopExit exit = assertThrows(LoopExit.class, semaphore::acquire);
        assertTrue(exit.getMessage().contains("Semaphore.acquire()"), exit.getMessage());
    }

    @Test
    void killedWaiterLeavesNoTrace() {
        Semaphore semaphore = new Semaphore(0);
        Greenlet<Void> waiter = Green.spawn(() -> semaphore.acquire());
        Green.sleep();
        waiter.kill();
        assertInstanceOf(GreenletExit.class, waiter.exception());
        semaphore.release();
        assertEquals(1, semaphore.available(), "the dead waiter did not swallow the permit");
    }

    @Test
    void waiterKilledAfterBeingHandedAPermitPassesItOn() {
        Semaphore semaphore = new Semaphore(0);
        Greenlet<Void> first = Green.spawn(() -> semaphore.acquire());
        Greenlet<Void> second = Green.spawn(() -> semaphore.acquire());
        Green.sleep();
        semaphore.release();                                  // handed to `first`, which has not resumed yet
        first.kill(new GreenletExit(), false, null);          // killed before it could run
        second.join(Duration.ofSeconds(5));
        assertInstanceOf(GreenletExit.class, first.exception(), "the kill was raised at the blocking point");
        assertTrue(second.ready() && second.exception() == null, "the permit was passed on to the next waiter");
        assertEquals(0, semaphore.available());
    }

    @Test
    void loneWaiterKilledAfterBeingHandedAPermitReturnsIt() {
        Semaphore semaphore = new Semaphore(0);
        Greenlet<Void> waiter = Green.spawn(() -> semaphore.acquire());
        Green.sleep();
        semaphore.release();
        waiter.kill();
        assertInstanceOf(GreenletExit.class, waiter.exception());
        assertEquals(1, semaphore.available());
    }

    /** A waiter whose own timeout fired but which has not resumed yet must not be handed the permit. */
    @Test
    void releaseSkipsAWaiterThatTimedOutButHasNotResumed() throws Exception {
        Semaphore semaphore = new Semaphore(0);
        Greenlet<Boolean> waiter = Green.spawn(() -> semaphore.acquire(Duration.ofMillis(10)));
        Green.sleep();
        Thread.sleep(40);                                     // the owner blocks: both timers below are due in one pass
        extension.loop().schedule(Duration.ZERO, semaphore::release);     // runs right after the waiter's expiry, before it resumes
        waiter.join();
        assertEquals(Boolean.FALSE, waiter.value());
        assertEquals(1, semaphore.available(), "the permit was not lost to the timed-out waiter");
    }

    @Test
    void acquireHonoursAnEnclosingTimeout() {
        Semaphore semaphore = new Semaphore(0);
        AtomicReference<Timeout> started = new AtomicReference<>();
        Timeout.Expired expired = assertThrows(Timeout.Expired.class, () -> {
            try (Timeout timeout = Timeout.start(Duration.ofMillis(10))) {
                started.set(timeout);
                semaphore.acquire(Duration.ofSeconds(5));
            }
        });
        assertEquals(started.get(), expired.timeout(), "the outer timeout kept its identity");
        semaphore.release();
        assertEquals(1, semaphore.available());
    }

    @Test
    void isWaitableWhileAPermitIsFree() {
        Semaphore semaphore = new Semaphore(0);
        assertFalse(semaphore.ready());
        Green.spawn(() -> semaphore.release());
        assertEquals(List.of(semaphore), Green.waitAll(List.of(semaphore), Duration.ofSeconds(5)));
        assertEquals(1, semaphore.available(), "waiting for it does not take the permit");
    }
}
