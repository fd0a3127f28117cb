package io.greenloop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Millions of cross-thread {@code execute} hand-offs against a loop that keeps going in and out of its poll
 * (the handshake between {@code execute} and the poll once lost a wake-up and hung CI, see e298cc8).
 * Each producer sends a burst and waits until the loop has run all of it, so the loop falls idle between
 * bursts and the next burst must wake it: out of a poll without limit (only {@code keepAlive} is pending)
 * or out of one bounded by a greenlet's sleep. A lost wake-up shows as a burst not run within
 * {@link #BURST_DEADLINE}, since nothing else would end such a poll. Transport-agnostic: the loop comes
 * from {@link LoopExtension}. A lost wake-up in one hand-off of a thousand fails it in about 11 s.
 */
@Tag("stress")  // 2-5 s on a loaded 2-core machine
class LoopHandoffStressTest {

    private static final int PRODUCERS = 4;
    private static final long HANDOFFS_PER_PRODUCER = 500_000;
    private static final int MAX_BURST = 64;
    private static final Duration BURST_DEADLINE = Duration.ofSeconds(5);
    private static final Duration TEST_DEADLINE = Duration.ofSeconds(20);

    /** How many hand-offs a spell of polls without limit lasts. */
    private static final long UNTIMED_HANDOFFS = 20_000;

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    /** Loop thread only, from here to {@link #untimedWait}. */
    private boolean producing = true;
    private long handedOff;
    private long untimedWaitEnd = Long.MAX_VALUE;
    private final Event untimedWait = new Event();
    private volatile boolean runReturned;

    @Test
    void everyCrossThreadCallbackRunsOnceWhileTheLoopGoesInAndOutOfItsPoll() throws Exception {
        Loop loop = extension.loop();
        AtomicReference<String> failure = new AtomicReference<>();
        Cancellable keepAlive = loop.keepAlive();
        List<Producer> producers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < PRODUCERS; i++) {
            Producer producer = new Producer(loop, failure, this::handedOff);
            producers.add(producer);
            threads.add(Thread.ofPlatform().name("producer-" + i).start(producer));
        }
        Thread finisher = Thread.ofPlatform().name("finisher").start(() -> {
            awaitProducers(threads, producers, failure);
            loop.execute(() -> {
                producing = false;
                untimedWait.set();
            });
            keepAlive.cancel();
            long deadline = System.nanoTime() + BURST_DEADLINE.toNanos();
            while (!runReturned && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(1_000_000);
            }
            if (failure.get() != null || !runReturned) {
                failure.compareAndSet(null, "the loop did not see the end within " + BURST_DEADLINE + ": a lost wake-up?");
                loop.stop();  // wakes the poll itself, not through the handshake under test
            }
        });
        loop.spawn(() -> {
            while (producing) {
                // Idle periods that end in a poll with a timeout (these sleeps) ...
                for (int i = 0; i < 10; i++) {
                    Green.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(100_000, 1_000_000)));
                }
                if (!producing) {
                    break;  // the end came during the sleeps, and no hand-off is left to end the wait below
                }
                // ... and, with no timer armed and only keepAlive pending, in a poll without limit.
                untimedWaitEnd = handedOff + UNTIMED_HANDOFFS;
                untimedWait.clear();
                untimedWait.await();
            }
        });
        try {
            loop.run();
        } finally {
            runReturned = true;
        }
        finisher.join();
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join();
        }
        assertNull(failure.get());
        for (Producer producer : producers) {
            assertEquals(HANDOFFS_PER_PRODUCER, producer.ran.get(), "every callback ran exactly once: " + counts(producers));
        }
    }

    /** On the loop, after each hand-off. */
    private void handedOff() {
        if (++handedOff == untimedWaitEnd) {
            untimedWait.set();
        }
    }

    private static void awaitProducers(List<Thread> threads, List<Producer> producers, AtomicReference<String> failure) {
        long deadline = System.nanoTime() + TEST_DEADLINE.toNanos();
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                failure.compareAndSet(null, "not done within " + TEST_DEADLINE + ": " + counts(producers));
                return;
            }
        }
    }

    private static String counts(List<Producer> producers) {
        return producers.stream().map(p -> p.ran.get() + "/" + HANDOFFS_PER_PRODUCER).toList().toString();
    }

    /** Sends bursts of {@code execute} and waits, without help from the loop, until each burst has run. */
    private static final class Producer implements Runnable {
        private final Loop loop;
        private final AtomicReference<String> failure;
        private final AtomicLong ran = new AtomicLong();
        private final Runnable task;

        Producer(Loop loop, AtomicReference<String> failure, Runnable onLoop) {
            this.loop = loop;
            this.failure = failure;
            this.task = () -> {
                ran.incrementAndGet();
                onLoop.run();
            };
        }

        @Override
        public void run() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long sent = 0;
            while (sent < HANDOFFS_PER_PRODUCER && failure.get() == null) {
                long burst = Math.min(random.nextInt(1, MAX_BURST + 1), HANDOFFS_PER_PRODUCER - sent);
                for (long i = 0; i < burst; i++) {
                    loop.execute(task);
                }
                sent += burst;
                if (!awaitRan(sent)) {
                    failure.compareAndSet(null, Thread.currentThread().getName() + ": " + (sent - ran.get())
                            + " callback(s) not run " + BURST_DEADLINE + " after they were sent: a lost wake-up?");
                    return;
                }
            }
        }

        private boolean awaitRan(long sent) {
            long deadline = System.nanoTime() + BURST_DEADLINE.toNanos();
            for (int spins = 0; ran.get() < sent; spins++) {
                if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            return true;
        }
    }
}
