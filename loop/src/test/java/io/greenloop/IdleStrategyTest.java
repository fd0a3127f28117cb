package io.greenloop;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop under each {@link IdleStrategy} behaves as a blocking one does, only sooner: timers fire on time, other
 * threads' callbacks and stops are picked up, {@code run()} returns once nothing is pending, close ends a spinning
 * loop, and the blocked-loop report tells a loop idling in its poll (spinning or not) from a greenlet holding it.
 * Part of loop's test-jar, so this runs on nio in loop's build and on epoll in the epoll module's. Every bound here
 * is only reached when the behaviour is broken (a spin that never ends); none is a timing claim.
 */
class IdleStrategyTest {

    /** Far beyond anything a working loop takes on a loaded machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Duration TIMER = Duration.ofMillis(50);

    static List<IdleStrategy> strategies() {
        return List.of(IdleStrategy.block(), IdleStrategy.spin(), IdleStrategy.backoff(200, 20));
    }

    private static Loop.Options with(IdleStrategy strategy) {
        return Loop.Options.defaults().withIdleStrategy(strategy);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void timersAndSleepsFireNeverEarlyAndRunReturnsAfterThem(IdleStrategy strategy) throws Exception {
        try (Loop loop = Loop.open(with(strategy)); Watchdog watchdog = new Watchdog(loop)) {
            AtomicLong timerLate = new AtomicLong(-1);
            long armed = System.nanoTime();
            loop.schedule(TIMER, () -> timerLate.set(System.nanoTime() - armed - TIMER.toNanos()));
            Greenlet<Long> sleeper = loop.spawn(() -> {
                long start = System.nanoTime();
                Green.sleep(TIMER);
                return System.nanoTime() - start - TIMER.toNanos();
            });
            loop.run();
            assertTrue(!watchdog.fired(), "run() returned once the timers were done, not by the watchdog's stop()");
            assertTrue(timerLate.get() >= 0, "the timer fired, and not early: " + timerLate.get() + " ns late");
            assertTrue(sleeper.get() >= 0, "the sleep ended, and not early: " + sleeper.get() + " ns late");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void runReturnsAtOnceWhenNothingIsPendingAndAfterTheLastGreenlet(IdleStrategy strategy) throws Exception {
        try (Loop loop = Loop.open(with(strategy)); Watchdog watchdog = new Watchdog(loop)) {
            loop.run();  // nothing pending: a spinning loop must not spin here for ever
            assertTrue(!watchdog.fired(), "run() returned by itself, not by the watchdog's stop()");
            Greenlet<String> greenlet = loop.spawn(() -> {
                Green.sleep();
                return "done";
            });
            loop.run();
            assertTrue(!watchdog.fired(), "run() returned by itself, not by the watchdog's stop()");
            assertEquals("done", greenlet.get());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void callbacksAndAStopFromOtherThreadsReachALoopThatRunsForever(IdleStrategy strategy) throws Exception {
        try (OwnedLoop owned = OwnedLoop.start(with(strategy))) {
            for (int i = 0; i < 20; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                owned.loop.execute(ran::countDown);
                assertTrue(ran.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS), "callback " + i + " ran");
            }
            CompletableFuture<String> fromGreenlet = new CompletableFuture<>();
            owned.loop.execute(() -> owned.loop.spawn(() -> {
                Green.sleep(Duration.ofMillis(5));
                fromGreenlet.complete("slept");
            }));
            assertEquals("slept", fromGreenlet.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
        }  // stop() from this thread, then the owner closes the loop: close() waits for both
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("strategies")
    void aBlockedLoopIsReportedAndAnIdleOneIsNot(IdleStrategy strategy) throws Exception {
        BlockingReports reports = new BlockingReports();
        reports.listen();
        try (OwnedLoop owned = OwnedLoop.start(with(strategy))) {
            // Idle in its poll for several report limits: whether it spins or sleeps there, nothing holds the loop.
            Thread.sleep(5 * BlockingMonitor.DEFAULT_LIMIT_MILLIS);
            assertEquals(List.of(), reports.messages(), "an idle " + strategy + " loop is not held");
            owned.loop.execute(() -> owned.loop.spawn(() -> {
                long end = System.nanoTime() + PATIENCE.toNanos();
                while (reports.records().isEmpty() && System.nanoTime() - end < 0) {
                    Thread.onSpinWait();  // holds the loop until the monitor has seen it
                }
            }));
            reports.await(1);
            assertTrue(reports.messages().getFirst().contains("without yielding"), reports.messages().toString());
        } finally {
            reports.stop();
        }
    }

    /**
     * Stops a loop driven on the test thread from another thread once {@link #PATIENCE} has passed, so that a loop
     * that would spin for ever fails its test instead of hanging it (a spinning thread does not see interrupts).
     */
    private static final class Watchdog implements AutoCloseable {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile boolean fired;
        private final Thread thread;

        Watchdog(Loop loop) {
            thread = Thread.ofPlatform().daemon().name("idle-strategy-watchdog").start(() -> {
                try {
                    if (!done.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                        fired = true;
                        loop.stop();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        boolean fired() {
            return fired;
        }

        @Override
        public void close() throws InterruptedException {
            done.countDown();
            thread.join();
        }
    }

    /**
     * A loop on a platform thread of its own, running forever; {@link #close()} stops it from the calling thread and
     * waits for the owner to close it, failing when that does not happen within {@link #PATIENCE}.
     */
    private static final class OwnedLoop implements AutoCloseable {
        final Loop loop;
        private final Thread owner;

        private OwnedLoop(Loop loop, Thread owner) {
            this.loop = loop;
            this.owner = owner;
        }

        static OwnedLoop start(Loop.Options options) throws Exception {
            CompletableFuture<Loop> opened = new CompletableFuture<>();
            Thread owner = Thread.ofPlatform().name("idle-strategy-owner").start(() -> {
                try (Loop loop = Loop.open(options)) {
                    opened.complete(loop);
                    loop.runForever();
                } catch (Throwable e) {
                    opened.completeExceptionally(e);
                }
            });
            return new OwnedLoop(opened.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS), owner);
        }

        @Override
        public void close() throws InterruptedException {
            loop.stop();
            assertTrue(owner.join(PATIENCE), loop + " stopped and closed after stop() from another thread");
        }
    }
}
