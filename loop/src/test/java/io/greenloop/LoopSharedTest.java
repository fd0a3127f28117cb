package io.greenloop;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop's inbox ({@link LoopShared}) as other threads meet it through {@link Loop#execute}: every callback
 * that {@code execute} accepted runs, even when {@link Loop#close()} races the submission; the others were
 * refused with {@link RejectedExecutionException}. With a bound on pending callbacks, users are refused at it,
 * while the JDK's and greenloop's own wake-ups of parked greenlets still get through. Part of loop's test-jar,
 * so each transport runs it.
 */
class LoopSharedTest {

    private static final int FLOODERS = 3;
    /**
     * How many times a loop is opened, flooded and closed. The race between a submission's closed check and
     * its enqueue is a few instructions wide: with the drain in close() but that race open (the closed flag
     * read before the count), 200 rounds lost 1-6 callbacks in each of three runs, 5 rounds rarely any.
     */
    private static final int ROUNDS = 200;
    /** How many callbacks the loop runs before its owner closes it, so that the flood is under way. */
    private static final long RUN_BEFORE_CLOSE = 1_000;
    /**
     * How far each flooder may run ahead of the loop: enough that one is mostly inside {@code execute} when the
     * owner closes (with 5,000 they all waited for room then, and the race above was never met), few enough
     * that a round's close does not run millions.
     */
    private static final long MAX_AHEAD = 50_000;

    @Test
    void everyCallbackThatExecuteAcceptedRunsWhenCloseRacesAFlood() throws Exception {
        long lost = 0;
        long acceptedInAll = 0;
        String transport = null;
        for (int round = 0; round < ROUNDS; round++) {
            Loop loop = Loop.open();
            CountDownLatch flooding = new CountDownLatch(FLOODERS);
            List<Flooder> flooders = new ArrayList<>();
            for (int i = 0; i < FLOODERS; i++) {
                Flooder flooder = new Flooder(loop, flooding);
                flooders.add(flooder);
                flooder.thread = Thread.ofPlatform().name("flooder-" + i).start(flooder);
            }
            assertTrue(flooding.await(30, TimeUnit.SECONDS));
            while (ranIn(flooders) < RUN_BEFORE_CLOSE) {
                loop.runOnce(true);
            }
            loop.close();
            long accepted = 0;
            for (Flooder flooder : flooders) {
                flooder.thread.join();
                assertInstanceOf(RejectedExecutionException.class, flooder.endedWith, "a flooder ends at its first refusal");
                accepted += flooder.accepted.get();
            }
            long ran = ranIn(flooders);
            transport = loop.transport();
            acceptedInAll += accepted;
            lost += accepted - ran;
        }
        String seen = "on " + transport + ", " + ROUNDS + " rounds: accepted " + acceptedInAll + ", lost " + lost;
        System.out.println("close racing an execute flood " + seen);
        assertEquals(0, lost, "callbacks execute() accepted that never ran, " + seen);
    }

    private static long ranIn(List<Flooder> flooders) {
        return flooders.stream().mapToLong(flooder -> flooder.ran.get()).sum();
    }

    @Test
    void aCallbackTheOwnerQueuedJustBeforeCloseRunsInClose() {
        Loop loop = Loop.open();
        AtomicLong runs = new AtomicLong();
        loop.execute(runs::incrementAndGet);
        loop.close();
        assertEquals(1, runs.get(), "execute() accepted it, so close() must run it");
    }

    @Test
    void usersAreRefusedAtTheBoundWhichTheStatisticsShow() throws Exception {
        Loop loop = Loop.open(Loop.Options.defaults().withMaxPendingCallbacks(3));
        try {
            AtomicLong runs = new AtomicLong();
            List<Throwable> refusals = onAnotherThread(() -> {
                for (int i = 0; i < 5; i++) {
                    loop.execute(runs::incrementAndGet);
                }
            });
            assertEquals(1, refusals.size(), "the fourth callback is refused, and the flooder stops there: " + refusals);
            assertInstanceOf(RejectedExecutionException.class, refusals.getFirst());
            assertTrue(refusals.getFirst().getMessage().contains("bound of 3"), refusals.getFirst().getMessage());
            assertEquals(3, loop.stats().pendingCallbacks());
            assertEquals(List.of(3L), pendingSeenFrom(loop), "another thread reads the same depth");
            loop.execute(runs::incrementAndGet);  // the loop's own thread queues at once: never bounded
            while (runs.get() < 4) {
                loop.runOnce(false);
            }
            assertEquals(0, loop.stats().pendingCallbacks());
            assertEquals(List.of(), onAnotherThread(() -> loop.execute(runs::incrementAndGet)), "room again once the loop took them");
        } finally {
            loop.close();
        }
    }

    /**
     * With users' callbacks at the bound, a greenlet parked in a JDK wait (woken by the JDK handing its
     * continuation to the loop, as its scheduler) and one parked on an {@link AsyncResult} (woken by greenloop's
     * own hand-off from the setting thread) are both woken: refusing either would leave it parked for ever.
     */
    @Test
    void greenletsWokenByTheJdkOrTheLibraryRunWhileUsersAreAtTheBound() throws Exception {
        Loop loop = Loop.open(Loop.Options.defaults().withMaxPendingCallbacks(2));
        try {
            CountDownLatch jdkLatch = new CountDownLatch(1);
            AsyncResult<String> result = new AsyncResult<>();
            AtomicLong parking = new AtomicLong();
            Greenlet<String> inJdkWait = loop.spawn(() -> {
                parking.incrementAndGet();
                jdkLatch.await();  // parks the virtual thread; the counting-down thread hands its continuation back
                return "woken by the JDK";
            });
            Greenlet<String> onResult = loop.spawn(() -> {
                parking.incrementAndGet();
                return result.get();
            });
            while (parking.get() < 2) {
                loop.runOnce(false);
            }
            AtomicLong runs = new AtomicLong();
            List<Throwable> refusals = onAnotherThread(() -> {
                for (int i = 0; i < 3; i++) {
                    loop.execute(runs::incrementAndGet);
                }
            });
            assertEquals(1, refusals.size(), "users are at the bound: " + refusals);
            assertEquals(List.of(), onAnotherThread(() -> {
                jdkLatch.countDown();
                result.set("woken by greenloop's hand-off");
            }), "neither wake-up may be refused");
            assertEquals(4, loop.stats().pendingCallbacks(), "two users' callbacks and two wake-ups, beyond the bound");
            loop.run();
            assertEquals("woken by the JDK", inJdkWait.get());
            assertEquals("woken by greenloop's hand-off", onResult.get());
            assertEquals(2, runs.get());
        } finally {
            loop.close();
        }
    }

    /** Runs {@code body} on a new platform thread and returns what it threw, if anything. */
    private static List<Throwable> onAnotherThread(ThrowingBody body) throws InterruptedException {
        List<Throwable> thrown = new ArrayList<>();
        Thread thread = Thread.ofPlatform().name("other").start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown.add(e);
            }
        });
        thread.join();
        return thrown;
    }

    private static List<Long> pendingSeenFrom(Loop loop) throws InterruptedException {
        List<Long> seen = new ArrayList<>();
        onAnotherThread(() -> seen.add(loop.stats().pendingCallbacks()));
        return seen;
    }

    @FunctionalInterface
    private interface ThrowingBody {
        void run() throws Exception;
    }

    /**
     * Calls {@link Loop#execute} as fast as it can, at most {@link #MAX_AHEAD} callbacks ahead of the loop, until
     * the loop refuses; counts what it accepted and what ran.
     */
    private static final class Flooder implements Runnable {
        private final Loop loop;
        private final CountDownLatch started;
        private final AtomicLong accepted = new AtomicLong();
        private final AtomicLong ran = new AtomicLong();
        private final Runnable task = ran::incrementAndGet;
        private volatile Throwable endedWith;
        Thread thread;

        Flooder(Loop loop, CountDownLatch started) {
            this.loop = loop;
            this.started = started;
        }

        @Override
        public void run() {
            started.countDown();
            try {
                while (true) {
                    if (accepted.get() - ran.get() >= MAX_AHEAD) {
                        Thread.onSpinWait();
                        continue;
                    }
                    loop.execute(task);
                    accepted.incrementAndGet();
                }
            } catch (Throwable e) {
                endedWith = e;
            }
        }
    }
}
