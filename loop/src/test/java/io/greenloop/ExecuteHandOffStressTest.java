package io.greenloop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The cross-thread hand-off one callback at a time: each {@link Loop#execute} from another thread must wake a
 * loop that sleeps in a poll without limit (a lost wake-up leaves it asleep with work in its inbox; one such
 * race hung CI once, fixed in e298cc8). Bursts against a loop going in and out of its poll are
 * {@link LoopHandoffStressTest}'s. Part of loop's test-jar,
 * so each transport module runs it on its own transport; tagged {@code stress}, so it runs in the
 * {@code stress} profile that {@code .ci/run} runs, not in the default build.
 */
@Tag("stress")
class ExecuteHandOffStressTest {

    private static final int ONE_AT_A_TIME_ROUNDS = 200_000;
    /** How long one hand-off may take to run before it counts as lost; far above any scheduling delay. */
    private static final long LOST_AFTER_SECONDS = 20;

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    /** Callbacks run so far; touched on the loop thread only. */
    private long ran;

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
}
