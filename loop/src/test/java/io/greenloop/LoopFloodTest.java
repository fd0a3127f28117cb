package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood of {@code execute()} from other threads must not starve the loop's timers and greenlets (issue 14). */
class LoopFloodTest {

    /**
     * How many callbacks one flooding thread keeps queued: each takes a microsecond, so running all that
     * are queued before looking at the clock (as the loop once did) takes a tenth of a second or more.
     */
    private static final long BACKLOG_PER_THREAD = 150_000;
    private static final long TASK_NANOS = 1_000;
    /**
     * Generous bounds, for a machine loaded many times over (where a thread may wait 100 ms and more for a
     * core): the loop itself delays a timer by about one pass, a millisecond here. A ready phase that runs
     * the whole backlog before it looks at the clock makes every sleep at least 300 ms late
     * (2 x 150,000 callbacks of 1 µs), and the yielding greenlets switch about once per sleep.
     */
    private static final long MAX_LATE_MILLIS = 250;
    private static final long MAX_P95_LATE_MILLIS = 30;
    private static final int SLEEPS = 300;
    private static final int YIELDERS = 10;
    private static final int MIN_SWITCHES = 100;

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void aFloodFromTwoThreadsNeitherDelaysTimersNorStopsYieldingGreenlets() throws Exception {
        Loop loop = extension.loop();
        AtomicBoolean flooding = new AtomicBoolean(true);
        List<Flooder> flooders = List.of(new Flooder(loop, flooding), new Flooder(loop, flooding));
        List<Thread> threads = new ArrayList<>();
        for (Flooder flooder : flooders) {
            threads.add(Thread.ofPlatform().name("flooder-" + threads.size()).start(flooder));
        }
        long[] switches = new long[YIELDERS];
        for (int i = 0; i < YIELDERS; i++) {
            int yielder = i;
            loop.spawn(() -> {
                while (flooding.get()) {
                    Green.sleep();
                    switches[yielder]++;
                }
            });
        }
        List<Long> lateMillis = new ArrayList<>();
        loop.spawn(() -> {
            try {
                while (flooders.stream().anyMatch(f -> f.submitted < BACKLOG_PER_THREAD)) {
                    Green.sleep(Duration.ofMillis(1));  // the flood has not built up yet
                }
                long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (lateMillis.size() < SLEEPS && System.nanoTime() - end < 0) {
                    long start = System.nanoTime();
                    Green.sleep(Duration.ofMillis(1));
                    lateMillis.add((System.nanoTime() - start - 1_000_000) / 1_000_000);
                }
            } finally {
                flooding.set(false);
            }
        });
        loop.run();
        for (Thread thread : threads) {
            thread.join();
        }
        loop.run();  // what the flooders queued after the greenlets ended

        List<Long> sorted = lateMillis.stream().sorted().toList();
        String seen = "late by (ms, worst first) " + sorted.reversed().subList(0, Math.min(10, sorted.size())) + " in "
                + sorted.size() + " sleeps of 1 ms";
        assertTrue(sorted.getLast() <= MAX_LATE_MILLIS, "a sleep was late beyond the bound under the flood: " + seen);
        assertTrue(sorted.get(sorted.size() * 95 / 100) <= MAX_P95_LATE_MILLIS, "sleeps are often late under the flood: " + seen);
        for (int i = 0; i < YIELDERS; i++) {
            assertTrue(switches[i] >= MIN_SWITCHES, "yielding greenlet " + i + " switched only " + switches[i] + " times; " + seen);
        }
        for (Flooder flooder : flooders) {
            assertEquals(flooder.submitted, flooder.ran.get(), "every flooded callback ran once");
        }
    }

    /** Keeps {@link #BACKLOG_PER_THREAD} callbacks of {@link #TASK_NANOS} queued on the loop until told to stop. */
    private static final class Flooder implements Runnable {
        private final Loop loop;
        private final AtomicBoolean flooding;
        private final AtomicLong ran = new AtomicLong();
        private final Runnable task = this::work;
        private volatile long submitted;

        Flooder(Loop loop, AtomicBoolean flooding) {
            this.loop = loop;
            this.flooding = flooding;
        }

        @Override
        public void run() {
            long count = 0;
            while (flooding.get()) {
                if (count - ran.get() < BACKLOG_PER_THREAD) {
                    loop.execute(task);
                    submitted = ++count;
                } else {
                    LockSupport.parkNanos(100_000);  // the backlog is full; leave the CPU to the loop meanwhile
                }
            }
        }

        /** A small callback's worth of work, on the loop. */
        private void work() {
            long end = System.nanoTime() + TASK_NANOS;
            while (System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
            ran.incrementAndGet();
        }
    }
}
