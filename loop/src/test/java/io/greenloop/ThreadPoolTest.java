package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadPoolTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void fourOneSecondSleepsOnThreeThreadsTakeAboutTwoSecondsWhileGreenletsRun() {
        try (ThreadPool pool = new ThreadPool(3)) {
            Ticker ticker = Ticker.startFor(Duration.ofMillis(50), Duration.ofMillis(1500));
            long start = System.nanoTime();
            List<AsyncResult<Void>> sleeps = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sleeps.add(pool.spawn(() -> Thread.sleep(1000)));
            }
            Green.waitAll(); // the seed's gevent.wait(): the pending tasks keep it waiting
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            assertTrue(sleeps.stream().allMatch(AsyncResult::successful), sleeps.toString());
            assertTrue(elapsed >= 1900 && elapsed < 3500, "two rounds of one-second sleeps, took " + elapsed + " ms");
            assertTrue(ticker.ticks() >= 10, "the loop ran greenlets meanwhile: " + ticker);
        }
    }

    @Test
    void applyParksTheGreenletAndReturnsTheValueFromAWorkerThread() throws Exception {
        try (ThreadPool pool = new ThreadPool(2, "apply-test")) {
            Ticker ticker = Ticker.start(Duration.ofMillis(10));
            Greenlet<String> caller = Green.spawn(() -> pool.apply(() -> {
                Thread.sleep(300);
                return Thread.currentThread().getName();
            }));
            String worker = caller.get();
            ticker.stop();
            assertTrue(worker.startsWith("apply-test-"), worker);
            assertTrue(ticker.ticks() >= 5, "the loop kept running while the greenlet waited: " + ticker);
            assertEquals(2, pool.size());
        }
    }

    @Test
    void aTaskThatThrowsFailsItsResultAndApplyRethrowsTheSameException() throws Exception {
        try (ThreadPool pool = new ThreadPool(1)) {
            IOException checked = new IOException("disk on fire");
            AsyncResult<Object> failed = pool.spawn(() -> {
                throw checked;
            });
            Green.waitAll(List.of(failed), Duration.ofSeconds(5));
            assertFalse(failed.successful());
            assertSame(checked, failed.exception());

            Greenlet<Throwable> caller = Green.spawn(() -> {
                try {
                    pool.apply(() -> {
                        throw checked;
                    });
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertSame(checked, caller.get(), "apply rethrows the checked exception itself, unwrapped");
            IllegalArgumentException unchecked = new IllegalArgumentException("bad input");
            assertSame(unchecked, assertThrows(IllegalArgumentException.class, () -> pool.apply(() -> {
                throw unchecked;
            })));
            assertEquals(7, pool.apply(() -> 7), "the worker survived the failures");
        }
    }

    @Test
    void closeFinishesQueuedTasksStopsTheThreadsAndRefusesMore() {
        ThreadPool pool = new ThreadPool(1, "close-test");
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        List<AsyncResult<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            tasks.add(pool.spawn(() -> {
                Thread.sleep(100);
                ran.add(n);
            }));
        }
        pool.close();
        assertEquals(List.of(0, 1, 2), ran, "queued tasks ran, in order, before close() returned");
        assertTrue(tasks.stream().allMatch(AsyncResult::ready));
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("close-test-")),
                "the worker threads have ended");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> pool.spawn(() -> 1));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
        pool.close(); // a second close does nothing
    }

    @Test
    void closeInsideAGreenletParksItWhileOthersRun() throws Exception {
        ThreadPool pool = new ThreadPool(1);
        pool.spawn(() -> Thread.sleep(300));
        Ticker ticker = Ticker.start(Duration.ofMillis(10));
        Green.spawn(pool::close).get();
        ticker.stop();
        assertTrue(ticker.ticks() >= 5, ticker.toString());
    }

    @Test
    void badSizesAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ThreadPool(0)).getMessage().contains("0"));
        assertThrows(IllegalArgumentException.class, () -> new ThreadPool(-3));
    }

    @Test
    void aKilledCallerStopsWaitingAtOnce() throws Exception {
        try (ThreadPool pool = new ThreadPool(1)) {
            Greenlet<Object> caller = Green.spawn(() -> pool.apply(() -> {
                Thread.sleep(500);
                return "late";
            }));
            Green.sleep(Duration.ofMillis(50));
            long start = System.nanoTime();
            caller.kill();
            assertTrue((System.nanoTime() - start) / 1_000_000 < 300, "kill did not wait for the task");
            assertInstanceOf(GreenletExit.class, caller.exception());
        }
    }

    @Test
    void aThreadWithNoLoopJustBlocksAndGetsNoLoop() throws Exception {
        try (ThreadPool pool = new ThreadPool(1)) {
            AtomicReference<Object> seen = new AtomicReference<>();
            Thread plain = Thread.ofPlatform().start(() -> {
                try {
                    seen.set(pool.apply(() -> 42));
                    assertNull(Strand.current(), "apply made no loop for a plain thread");
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            plain.join();
            assertEquals(42, seen.get());
        }
    }

    @Test
    void spawnParksTheCallerWhileMaxQueuedTasksWait() throws Exception {
        java.util.concurrent.CountDownLatch firstStarted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1, 1)) {
            AsyncResult<Void> first = pool.spawn(() -> {
                firstStarted.countDown();
                release.await();
            });
            assertTrue(firstStarted.await(5, java.util.concurrent.TimeUnit.SECONDS));
            AsyncResult<String> second = pool.spawn(() -> "second");  // waits for the worker: the queue is now full
            Greenlet<String> producer = Green.spawn(() -> pool.spawn(() -> "third").get());
            Green.sleep(Duration.ofMillis(30));
            assertFalse(producer.ready(), "spawn should park while maxQueued tasks wait");
            release.countDown();
            assertEquals("third", producer.get());
            assertEquals("second", second.get());
            assertTrue(first.successful());
        }
    }

    @Test
    void aKilledProducerGivesUpItsPlaceInLine() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (ThreadPool pool = new ThreadPool(1, 1)) {
            java.util.concurrent.CountDownLatch firstStarted = new java.util.concurrent.CountDownLatch(1);
            pool.spawn(() -> {
                firstStarted.countDown();
                release.await();
            });
            assertTrue(firstStarted.await(5, java.util.concurrent.TimeUnit.SECONDS));
            pool.spawn(() -> { });  // the queue is full from here on
            Greenlet<Object> killed = Green.spawn(() -> pool.spawn(() -> "never"));
            Greenlet<String> next = Green.spawn(() -> pool.spawn(() -> "next").get());
            Green.sleep(Duration.ofMillis(10));
            killed.kill();
            release.countDown();
            assertEquals("next", next.get());
        }
    }

    @Test
    void maxQueuedBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ThreadPool(1, 0));
    }

    @Test
    void plainCodeUsesItAsAnExecutorService() throws Exception {
        try (ThreadPool pool = new ThreadPool(2, "executor-test")) {
            List<Object> seen = onPlainThread(() -> {
                ExecutorService executor = pool;
                List<Object> results = new ArrayList<>();
                results.add(executor.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS));
                List<Future<Integer>> all = executor.invokeAll(List.of(() -> 1, () -> {
                    Thread.sleep(50);
                    return 2;
                }, () -> 3));
                for (Future<Integer> each : all) {
                    results.add(each.get());
                }
                results.add(executor.invokeAny(List.of(() -> {
                    throw new IOException("the first fails");
                }, () -> "any")));
                IOException error = new IOException("disk on fire");
                ExecutionException failed = assertThrows(ExecutionException.class, () -> executor.submit(() -> {
                    throw error;
                }).get());
                results.add(failed.getCause());
                results.add(Strand.current());
                return results;
            });
            assertTrue(((String) seen.get(0)).startsWith("executor-test-"), seen.toString());
            assertEquals(List.of(1, 2, 3, "any"), seen.subList(1, 5));
            assertEquals("disk on fire", ((IOException) seen.get(5)).getMessage());
            assertNull(seen.get(6), "no loop was made for the plain thread");
        }
    }

    @Test
    void shutdownLetsQueuedTasksFinishRefusesNewOnesAndAwaitTerminationWaitsForThem() throws Exception {
        ThreadPool pool = new ThreadPool(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        pool.execute(() -> {
            awaitQuietly(release);
            ran.add("first");
        });
        Future<?> queued = pool.submit(() -> ran.add("queued"));
        pool.shutdown();
        assertTrue(pool.isShutdown());
        assertFalse(pool.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> ran.add("refused")));
        assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> "refused"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> pool.spawn(() -> "refused"));
        assertTrue(refused.getMessage().contains("shut down"), refused.getMessage());
        assertFalse(pool.awaitTermination(20, TimeUnit.MILLISECONDS), "a task still waits");
        release.countDown();
        assertTrue(onPlainThread(() -> pool.awaitTermination(30, TimeUnit.SECONDS)));
        assertTrue(pool.isTerminated());
        assertTrue(queued.isDone());
        assertEquals(List.of("first", "queued"), ran);
        pool.close();
    }

    @Test
    void shutdownNowInterruptsTheRunningTaskFailsSpawnedOnesAndReturnsTheOthers() throws Exception {
        ThreadPool pool = new ThreadPool(1);
        CountDownLatch started = new CountDownLatch(1);
        AsyncResult<String> running = pool.spawn(() -> {
            started.countDown();
            new CountDownLatch(1).await();  // until interrupted
            return "never";
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        Runnable executed = () -> { };
        Future<String> submitted = pool.submit(() -> "never run");
        AsyncResult<String> spawned = pool.spawn(() -> "never run");
        pool.execute(executed);
        Greenlet<Throwable> applier = Green.spawn(() -> {
            try {
                pool.apply(() -> "never run");
                return null;
            } catch (CancellationException e) {
                return e;
            }
        });
        Green.sleep(Duration.ofMillis(20));
        List<Runnable> neverRun = pool.shutdownNow();
        assertEquals(List.of(submitted, executed), neverRun, "the ExecutorService's tasks, as given to execute");
        assertInstanceOf(CancellationException.class, spawned.exception());
        assertInstanceOf(CancellationException.class, applier.get(), "a greenlet waiting for a removed task woke");
        Green.waitAll(List.of(running), Duration.ofSeconds(30));
        assertInstanceOf(InterruptedException.class, running.exception(), "the running task was interrupted");
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        Eventually.await("no removed task to keep the loop waiting", () -> !loop.loop().alive());
    }

    @Test
    void aTaskExecutedFromAGreenletIsPendingWorkOfItsLoop() throws Exception {
        try (ThreadPool pool = new ThreadPool(1)) {
            AtomicReference<String> done = new AtomicReference<>();
            Green.spawn(() -> pool.execute(() -> {
                sleepQuietly(200);
                done.set("ran");
            }));
            Green.waitAll();
            assertEquals("ran", done.get(), "waitAll() waited for the executed task");
        }
    }

    @Test
    void awaitTerminationInAGreenletParksItWhileOthersRun() throws Exception {
        ThreadPool pool = new ThreadPool(1);
        pool.execute(() -> sleepQuietly(300));
        pool.shutdown();
        Ticker ticker = Ticker.start(Duration.ofMillis(10));
        assertTrue(Green.spawn(() -> pool.awaitTermination(30, TimeUnit.SECONDS)).get());
        ticker.stop();
        assertTrue(ticker.ticks() >= 5, ticker.toString());
        pool.close();
    }

    @Test
    void aSpawnerWaitingForRoomIsRefusedAtOnceWhenThePoolShutsDown() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ThreadPool pool = new ThreadPool(1, 1);
        CountDownLatch started = new CountDownLatch(1);
        pool.execute(() -> {
            started.countDown();
            awaitQuietly(release);
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        pool.execute(() -> { });  // the queue is full from here on
        Greenlet<Object> spawner = Green.spawn(() -> pool.spawn(() -> "never"));
        Green.sleep(Duration.ofMillis(20));
        assertFalse(spawner.ready(), "spawn waits for room");
        pool.shutdown();
        spawner.join(Duration.ofSeconds(30));
        assertInstanceOf(IllegalStateException.class, spawner.exception(), "refused while the first task still runs");
        loop.forgetError(spawner.exception());
        release.countDown();
        pool.close();
    }

    /** Runs {@code body} on a platform thread that owns no loop, as plain code would, and returns its value. */
    private static <T> T onPlainThread(Callable<T> body) throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread plain = Thread.ofPlatform().start(() -> {
            try {
                outcome.set(body.call());
            } catch (Throwable e) {
                outcome.set(new ExecutionException(e));
            }
        });
        plain.join();
        if (outcome.get() instanceof ExecutionException failed) {
            throw new AssertionError("the plain thread failed", failed.getCause());
        }
        @SuppressWarnings("unchecked")
        T value = (T) outcome.get();
        return value;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
