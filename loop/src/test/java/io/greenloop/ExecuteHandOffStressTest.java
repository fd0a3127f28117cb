package io.greenloop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The cross-thread hand-off under load: other threads {@link Loop#execute} millions of callbacks into a loop
 * that keeps going in and out of its poll, and every one must run (a lost wake-up leaves the loop asleep in
 * its poll with work in its inbox; one such race hung CI once, fixed in e298cc8). Part of loop's test-jar,
 * so each transport module runs it on its own transport; tagged {@code stress}, so it runs in the
 * {@code stress} profile that {@code .ci/run} runs, not in the default build.
 */
@Tag("stress")
class ExecuteHandOffStressTest {

    private static final int PRODUCERS = 2;
    private static final int HAND_OFFS_PER_PRODUCER = 2_500_000;
    /** A producer pauses after this many hand-offs, so that the loop drains its inbox and goes back to its poll. */
    private static final int BURST = 2_048;
    private static final long PAUSE_NANOS = 20_000;
    private static final int ONE_AT_A_TIME_ROUNDS = 200_000;
    /** How long one hand-off may take to run before it counts as lost; far above any scheduling delay. */
    private static final long LOST_AFTER_SECONDS = 20;

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    /** Callbacks run so far; touched on the loop thread only. */
    private long ran;

    @Test
    void millionsOfHandOffsInBurstsFromOtherThreadsAllRun() throws Exception {
        Loop loop = loops.loop();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            producers.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                for (int i = 1; i <= HAND_OFFS_PER_PRODUCER; i++) {
                    loop.execute(() -> ran++);
                    if (i % BURST == 0) {
                        LockSupport.parkNanos(PAUSE_NANOS);
                    }
                }
            }));
        }
        Thread.ofPlatform().name("stopper").start(() -> {
            producers.forEach(ExecuteHandOffStressTest::joinUninterruptibly);
            loop.execute(loop::stop);  // queued after every hand-off, so the loop stops once all of them ran
        });
        long start = System.nanoTime();
        loop.runForever();
        long millis = (System.nanoTime() - start) / 1_000_000;
        long expected = (long) PRODUCERS * HAND_OFFS_PER_PRODUCER;
        System.out.printf("execute stress on %s: %d hand-offs from %d threads in bursts of %d, %d ran, %d ms%n",
                loop.transport(), expected, PRODUCERS, BURST, ran, millis);
        assertEquals(expected, ran, "hand-offs lost");
    }

    @Test
    void eachOfThousandsOfSingleHandOffsWakesTheLoopFromItsPoll() throws Exception {
        Loop loop = loops.loop();
        Semaphore done = new Semaphore(0);
        AtomicReference<String> lost = new AtomicReference<>();
        Thread.ofPlatform().name("producer").start(() -> {
            try {
                for (int i = 0; i < ONE_AT_A_TIME_ROUNDS; i++) {
                    // The loop has nothing else to do: it is in (or on its way into) a poll without limit.
                    loop.execute(() -> {
                        ran++;
                        done.release();
                    });
                    if (!done.tryAcquire(LOST_AFTER_SECONDS, TimeUnit.SECONDS)) {
                        lost.set("hand-off " + i + " did not run within " + LOST_AFTER_SECONDS + " s: the loop slept through it");
                        break;
                    }
                }
            } catch (InterruptedException e) {
                lost.set("the producer was interrupted");
            } finally {
                loop.stop();  // wakes the loop itself, even if a hand-off's wake-up was lost
            }
        });
        long start = System.nanoTime();
        loop.runForever();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("execute stress on %s: %d single hand-offs, each waited for, %d ran, %d ms%n",
                loop.transport(), ONE_AT_A_TIME_ROUNDS, ran, millis);
        assertNull(lost.get());
        assertEquals(ONE_AT_A_TIME_ROUNDS, ran);
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
