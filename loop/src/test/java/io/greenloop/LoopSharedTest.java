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
    private static final int ROUNDS = 5;
    /** How many callbacks the loop runs before its owner closes it, so that the flood is well under way. */
    private static final long RUN_BEFORE_CLOSE = 20_000;

    /** Callbacks run in this round; the owner thread (the test thread) alone touches it. */
    private long ran;

    @Test
    void everyCallbackThatExecuteAcceptedRunsWhenCloseRacesAFlood() throws Exception {
        long lost = 0;
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            ran = 0;
            Loop loop = Loop.open();
            Runnable count = () -> ran++;
            CountDownLatch flooding = new CountDownLatch(FLOODERS);
            List<Flooder> flooders = new ArrayList<>();
            for (int i = 0; i < FLOODERS; i++) {
                Flooder flooder = new Flooder(loop, count, flooding);
                flooders.add(flooder);
                flooder.thread = Thread.ofPlatform().name("flooder-" + i).start(flooder);
            }
            assertTrue(flooding.await(30, TimeUnit.SECONDS));
            while (ran < RUN_BEFORE_CLOSE) {
                loop.runOnce(true);
            }
            loop.close();
            long accepted = 0;
            for (Flooder flooder : flooders) {
                flooder.thread.join();
                assertInstanceOf(RejectedExecutionException.class, flooder.endedWith, "a flooder ends at its first refusal");
                accepted += flooder.accepted.get();
            }
            rounds.add(loop.transport() + ": accepted " + accepted + ", ran " + ran);
            lost += accepted - ran;
        }
        System.out.println("close racing an execute flood: " + rounds + "; lost " + lost);
        assertEquals(0, lost, "callbacks execute() accepted that never ran: " + rounds);
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

    /** Calls {@link Loop#execute} as fast as it can until the loop refuses, counting what it accepted. */
    private static final class Flooder implements Runnable {
        private final Loop loop;
        private final Runnable task;
        private final CountDownLatch started;
        private final AtomicLong accepted = new AtomicLong();
        private volatile Throwable endedWith;
        Thread thread;

        Flooder(Loop loop, Runnable task, CountDownLatch started) {
            this.loop = loop;
            this.task = task;
            this.started = started;
        }

        @Override
        public void run() {
            started.countDown();
            try {
                while (true) {
                    loop.execute(task);
                    accepted.incrementAndGet();
                }
            } catch (Throwable e) {
                endedWith = e;
            }
        }
    }
}
