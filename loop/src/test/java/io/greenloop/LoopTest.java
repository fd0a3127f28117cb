package io.greenloop;

import io.greenloop.internal.TimerHeap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void pollTimeoutIsZeroWithWorkTheNearestTimerOrForever() {
        TimerHeap timers = new TimerHeap();
        assertEquals(-1, IdlePoll.timeoutNanos(false, timers.peek(), 100));
        assertEquals(0, IdlePoll.timeoutNanos(true, timers.peek(), 100));
        timers.add(1_100, () -> { });
        timers.add(600, () -> { });
        assertEquals(500, IdlePoll.timeoutNanos(false, timers.peek(), 100));
        assertEquals(0, IdlePoll.timeoutNanos(true, timers.peek(), 100));
        assertEquals(0, IdlePoll.timeoutNanos(false, timers.peek(), 900), "an overdue timer does not wait");
    }

    @Test
    void executeFromAnotherThreadWakesALoopBlockedInItsPoll() throws Exception {
        Loop loop = extension.loop();
        CountDownLatch polling = new CountDownLatch(1);
        loop.execute(polling::countDown);
        List<String> ran = new ArrayList<>();
        Thread owner = Thread.currentThread();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                polling.await();  // then the loop has nothing to do and waits in its poll without limit:
                Eventually.awaitOffLoop("the loop to block in its poll", () -> Eventually.blockedInPoll(owner));
            } catch (InterruptedException e) {
                return;
            }
            loop.execute(() -> {
                ran.add("from " + Thread.currentThread().getName());
                loop.stop();
            });
        });
        long start = System.nanoTime();
        loop.runForever();
        long millis = (System.nanoTime() - start) / 1_000_000;
        other.join();
        assertEquals(List.of("from " + Thread.currentThread().getName()), ran);
        assertTrue(millis < 5_000, "the wake-up took " + millis + " ms");
    }

    @Test
    void stopFromAnotherThreadEndsRunForever() throws Exception {
        Loop loop = extension.loop();
        Thread other = Thread.ofPlatform().start(() -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            loop.stop();
        });
        loop.runForever();
        other.join();
    }

    @Test
    void runReturnsWhenNothingIsPending() {
        Loop loop = extension.loop();
        List<String> events = new ArrayList<>();
        loop.schedule(Duration.ofMillis(20), () -> events.add("timer"));
        loop.execute(() -> events.add("callback"));
        loop.run();
        assertEquals(List.of("callback", "timer"), events);
    }

    @Test
    void theLongestDurationsAreForeverNotOverflowedIntoThePast() {
        Duration longest = Duration.ofNanos(Long.MAX_VALUE);  // now + this overflows a nanoTime deadline
        Loop loop = extension.loop();
        List<String> fired = new ArrayList<>();
        List<Cancellable> armed = new ArrayList<>();
        // Armed in the timers phase, whose clock was read before: the deadline must not look due to it.
        loop.schedule(Duration.ZERO, () -> {
            armed.add(loop.schedule(longest, () -> fired.add("timer")));
            Greenlet.unstarted(() -> fired.add("started late")).startLater(longest);
        });
        Greenlet<Void> sleeper = Green.spawn(() -> {
            try (Timeout timeout = Timeout.start(longest)) {
                Green.sleep(longest);
                fired.add("woke");
            } catch (Timeout.Expired e) {
                fired.add("timeout");
            }
        });
        for (int i = 0; i < 3; i++) {
            loop.runOnce(false);  // each iteration runs its due timers first
        }
        assertEquals(List.of(), fired, "nothing fired in three iterations");
        assertEquals(1, armed.size());
        assertTrue(armed.stream().allMatch(Cancellable::cancel), "still armed");
        assertFalse(sleeper.ready());
        sleeper.kill();
    }

    @Test
    void timersDueTogetherFireInTheOrderTheyWereArmedAndCancelledOnesNever() {
        Loop loop = extension.loop();
        List<Integer> fired = new ArrayList<>();
        List<Cancellable> timers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            timers.add(loop.schedule(Duration.ZERO, () -> fired.add(n)));
        }
        assertTrue(timers.get(2).cancel());
        assertFalse(timers.get(2).cancel());
        loop.run();
        assertEquals(List.of(0, 1, 3, 4, 5), fired);
        assertFalse(timers.getFirst().cancel(), "a timer that fired cannot be cancelled");
    }

    @Test
    void aFailingCallbackIsReportedAndTheLoopGoesOn() {
        Loop loop = extension.loop();
        List<String> events = new ArrayList<>();
        RuntimeException failure = new RuntimeException("callback failed");
        loop.execute(() -> {
            throw failure;
        });
        loop.execute(() -> events.add("next callback ran"));
        loop.run();
        assertEquals(List.of("next callback ran"), events);
        assertEquals(List.of(failure), extension.takeErrors());
    }

    @Test
    void aFatalErrorInACallbackIsRethrownOnTheOwnerThreadAndTheLoopStaysUsable() {
        Loop loop = extension.loop();
        List<String> events = new ArrayList<>();
        StackOverflowError fatal = new StackOverflowError("a fatal error raised by the test");
        loop.execute(() -> {
            throw fatal;
        });
        loop.execute(() -> events.add("queued after it"));
        assertSame(fatal, assertThrows(StackOverflowError.class, loop::run));
        assertEquals(List.of(), events, "the iteration ends at the fatal error");
        loop.run();
        assertEquals(List.of("queued after it"), events, "what was queued stays queued");
        assertEquals(List.of(), extension.takeErrors(), "a fatal error never goes to the error handler");
    }

    @Test
    void aFatalErrorInAGreenletIsRethrownOnTheOwnerThread() {
        Loop loop = extension.loop();
        OutOfMemoryError fatal = new OutOfMemoryError("a fatal error raised by the test");
        Greenlet<Void> greenlet = loop.spawn(() -> {
            throw fatal;
        });
        assertSame(fatal, assertThrows(OutOfMemoryError.class, loop::run));
        assertSame(fatal, greenlet.exception(), "the greenlet still ends with it, for those who join it");
        assertEquals(0, loop.liveGreenlets());
        assertEquals(List.of(), extension.takeErrors());
    }

    @Test
    void optionsChooseTheTransportAndRefuseABoundBelowOne() throws Exception {
        Loop.Options defaults = Loop.Options.defaults();
        assertEquals(null, defaults.transport());
        assertEquals(Loop.Options.UNLIMITED, defaults.maxPendingCallbacks());
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> defaults.withMaxPendingCallbacks(bad));
            assertTrue(e.getMessage().contains("maxPendingCallbacks " + bad) && e.getMessage().contains("at least 1"), e::getMessage);
        }
        assertThrows(NullPointerException.class, () -> defaults.withTransport(null));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> defaults.withTransport(" "));
        assertTrue(blank.getMessage().contains("nio"), blank::getMessage);
        AtomicReference<Throwable> unknown = new AtomicReference<>();
        AtomicReference<String> chosen = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            unknown.set(assertThrows(IllegalArgumentException.class,
                    () -> Loop.open(defaults.withTransport("no-such-transport"))));
            try (Loop loop = Loop.open(defaults.withTransport("nio").withMaxPendingCallbacks(1))) {
                chosen.set(loop.transport());
            }
        });
        assertTrue(joinQuietly(other));
        assertTrue(unknown.get().getMessage().contains("nio"), "names the available ones: " + unknown.get().getMessage());
        assertEquals("nio", chosen.get());
    }

    @Test
    void executeOnAClosedLoopIsRejectedOnItsOwnerThreadAndOthers() throws Exception {
        AtomicReference<Loop> closed = new AtomicReference<>();
        AtomicReference<Throwable> onOwner = new AtomicReference<>();
        Thread owner = Thread.ofPlatform().start(() -> {
            Loop own = Loop.open();
            own.close();
            closed.set(own);
            try {
                own.execute(() -> { });
            } catch (Throwable e) {
                onOwner.set(e);
            }
        });
        assertTrue(joinQuietly(owner));
        assertInstanceOf(RejectedExecutionException.class, onOwner.get(), "the owner thread's execute() is not silently dropped");
        assertThrows(RejectedExecutionException.class, () -> closed.get().execute(() -> { }));
    }

    @Test
    void aLongPassRunsToItsEndAndWhatItQueuesWaitsForTheNextPass() {
        Loop loop = extension.loop();
        List<Integer> ran = new ArrayList<>();
        int callbacks = 1_000;  // of 5 µs each: 5 ms, far beyond the ready phase's 100 µs, which is looked at between passes
        for (int i = 0; i < callbacks; i++) {
            int index = i;
            loop.execute(() -> {
                spin(5_000);
                ran.add(index);
                if (index == 0) {
                    loop.execute(() -> ran.add(-1));  // queued during the pass: runs after all of it
                }
            });
        }
        loop.runOnce(false);  // one pass
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < callbacks; i++) {
            expected.add(i);
        }
        assertEquals(expected, ran, "one pass runs every callback queued before it, in order, and nothing newer");
        loop.runOnce(false);
        expected.add(-1);
        assertEquals(expected, ran, "the callback queued during the pass runs in the next one");
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aBlockingCallInsideACallbackIsRefused() {
        Loop loop = extension.loop();
        loop.execute(() -> new Event().await());
        loop.run();
        List<Throwable> errors = extension.takeErrors();
        assertEquals(1, errors.size());
        assertInstanceOf(IllegalStateException.class, errors.getFirst());
        assertTrue(errors.getFirst().getMessage().contains("spawn a greenlet"), errors.getFirst().getMessage());
    }

    @Test
    void aThreadHasOneLoopAndLoopBoundCallsFromOtherThreadsAreRefused() throws Exception {
        Loop loop = extension.loop();
        assertSame(loop, Loop.current());
        assertSame(loop, Green.loop());
        assertThrows(IllegalStateException.class, Loop::open);
        AtomicReference<Throwable> refused = new AtomicReference<>();
        Thread other = Thread.ofPlatform().name("intruder").start(() -> {
            try {
                loop.spawn(() -> "no");
            } catch (IllegalStateException e) {
                refused.set(e);
            }
        });
        other.join();
        assertTrue(refused.get().getMessage().contains("intruder"), refused.get().getMessage());
        assertTrue(refused.get().getMessage().contains(Thread.currentThread().getName()), refused.get().getMessage());
    }

    @Test
    void openNamesTheAvailableTransportsWhenItCannot() throws Exception {
        Throwable failure = OffLoop.thrownBy(() -> Loop.open("no-such-transport"));
        assertInstanceOf(IllegalArgumentException.class, failure);
        assertTrue(failure.getMessage().contains("nio"), failure.getMessage());
        assertTrue(Loop.availableTransports().contains("nio"));
    }

    @Test
    void twoThreadsRunTwoLoopsIndependently() throws Exception {
        AtomicReference<Object> otherResult = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try (Loop own = Loop.open()) {
                Greenlet<String> greenlet = own.spawn(() -> {
                    Green.sleep(Duration.ofMillis(30));
                    return "other loop";
                });
                otherResult.set(greenlet.get());
            } catch (Exception e) {
                otherResult.set(e);
            }
        });
        Greenlet<String> mine = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(30));
            return "this loop";
        });
        assertEquals("this loop", mine.get());
        other.join();
        assertEquals("other loop", otherResult.get());
    }

    @Test
    void closeKillsLiveGreenletsAndRunsTheirFinallyBlocks() {
        List<String> events = new ArrayList<>();
        AtomicReference<Loop> closed = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            Loop own = Loop.open();
            own.spawn(() -> {
                try {
                    Green.sleep(Duration.ofSeconds(30));
                } finally {
                    events.add("finally");
                }
            });
            own.runOnce(false);
            own.close();
            closed.set(own);
        });
        long start = System.nanoTime();
        assertTrue(joinQuietly(other));
        assertEquals(List.of("finally"), events);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 900, "close() sat out its grace period after the last greenlet died: " + millis + " ms");
        assertEquals(0, closed.get().liveGreenlets());
    }

    @Test
    void aContinuationWokenFromAnotherThreadRunsOnTheLoopNotInPlace() throws Exception {
        String owner = Thread.currentThread().getName();
        AtomicReference<Thread> greenletThread = new AtomicReference<>();
        Greenlet<String> greenlet = Green.spawn(() -> {
            greenletThread.set(Thread.currentThread());
            Thread.sleep(50); // parked by the JDK; its timer thread resubmits the continuation
            return Thread.currentThread().toString();
        });
        String after = greenlet.get();
        assertTrue(after.endsWith("@" + owner), after);
    }

    @Test
    void virtualThreadsStartedInsideAGreenletInheritTheLoop() throws Exception {
        String owner = Thread.currentThread().getName();
        Greenlet<String> greenlet = Green.spawn(() -> {
            AtomicReference<String> seen = new AtomicReference<>();
            Thread child = Thread.ofVirtual().start(() -> seen.set(Thread.currentThread().toString()));
            child.join();
            return seen.get();
        });
        String child = greenlet.get();
        assertTrue(child.endsWith("@" + owner), "a plain virtual thread started in a greenlet runs on the loop: " + child);
    }

    private static boolean joinQuietly(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
