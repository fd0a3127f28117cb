package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncResultTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void aSetFromAnotherThreadWakesAWaitingGreenlet() throws Exception {
        AsyncResult<String> result = new AsyncResult<>();
        Greenlet<String> waiter = Green.spawn(() -> result.get() + " seen in " + (Green.current() != null ? "a greenlet" : "?"));
        Green.sleep();
        Thread setter = Thread.ofPlatform().start(() -> {
            sleepQuietly(50);
            result.set("from another thread");
        });
        assertEquals("from another thread seen in a greenlet", waiter.get());
        setter.join();
    }

    @Test
    void theOwnerThreadWaitsForAnotherThreadWithoutLoopExit() throws Exception {
        AsyncResult<Integer> result = new AsyncResult<>();
        Thread.ofPlatform().start(() -> {
            sleepQuietly(50);
            result.set(42);
        });
        assertEquals(42, result.get(), "no timeout: only the pending cross-thread wait keeps the loop polling");
    }

    @Test
    void waitAllOnTheOwnerThreadWaitsForAResultFromAnotherThread() {
        AsyncResult<Integer> result = new AsyncResult<>();
        Thread.ofPlatform().start(() -> {
            sleepQuietly(50);
            result.set(1);
        });
        assertEquals(java.util.List.of(result), Green.waitAll(java.util.List.of(result), null));
    }

    @Test
    void anotherThreadCanWaitForAResultSetOnTheLoop() throws Exception {
        AsyncResult<String> result = new AsyncResult<>();
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                seen.set(result.get());
            } catch (Exception e) {
                seen.set(e);
            }
        });
        Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(30));
            result.set("set on the loop");
        }).join();
        waiter.join(5_000);
        assertEquals("set on the loop", seen.get());
    }

    @Test
    void anExceptionComesBackWrapped() {
        AsyncResult<String> result = new AsyncResult<>();
        IllegalStateException error = new IllegalStateException("nope");
        result.setException(error);
        assertTrue(result.ready());
        assertFalse(result.successful());
        assertNull(result.value());
        assertSame(error, result.exception());
        ExecutionException thrown = assertThrows(ExecutionException.class, result::get);
        assertSame(error, thrown.getCause());
    }

    @Test
    void itCanBeCompletedOnlyOnce() {
        AsyncResult<String> result = new AsyncResult<>();
        result.set("first");
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> result.set("second"));
        assertTrue(again.getMessage().contains("already completed"), again.getMessage());
        assertEquals("first", result.value());
    }

    @Test
    void getWithATimeout() {
        AsyncResult<String> result = new AsyncResult<>();
        Greenlet<Object> waiter = Green.spawn(() -> result.get(Duration.ofMillis(10)));
        waiter.join();
        assertInstanceOf(TimeoutException.class, waiter.exception());
        loop.takeErrors();
    }

    @Test
    void itsCompletableFutureCompletesOnTheSettingThreadAndTheThreadThatAskedMadeNoLoop() throws Exception {
        AsyncResult<String> result = new AsyncResult<>();
        AtomicReference<CompletableFuture<String>> chained = new AtomicReference<>();
        AtomicReference<Object> askerLoop = new AtomicReference<>("not run");
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Thread asker = Thread.ofPlatform().start(() -> {
            chained.set(result.toCompletableFuture().thenApply(value -> {
                ranOn.set(Thread.currentThread());
                return value + ", then composed";
            }));
            askerLoop.set(Strand.current());
        });
        asker.join();
        assertNull(askerLoop.get(), "asking for the future made no loop for a plain thread");
        assertFalse(chained.get().isDone());
        Thread setter = Thread.ofPlatform().start(() -> result.set("set"));
        setter.join();
        assertEquals("set, then composed", chained.get().getNow("not yet"), "completed by set(), with nobody waiting");
        assertSame(setter, ranOn.get(), "the stage ran on the thread that set the result");
        assertEquals("set", result.toCompletableFuture().getNow("not yet"), "a set result gives a completed future");
    }

    @Test
    void itsCompletableFutureCarriesTheExceptionAndCancellingItLeavesTheResultUnset() {
        AsyncResult<String> failing = new AsyncResult<>();
        CompletableFuture<String> failed = failing.toCompletableFuture();
        IOException error = new IOException("disk on fire");
        failing.setException(error);
        assertSame(error, failed.exceptionNow());

        AsyncResult<String> cancelledBySetter = new AsyncResult<>();
        CompletableFuture<String> cancelled = cancelledBySetter.toCompletableFuture();
        cancelledBySetter.setException(new CancellationException("given up"));
        assertTrue(cancelled.isCancelled());

        AsyncResult<String> open = new AsyncResult<>();
        CompletableFuture<String> mine = open.toCompletableFuture();
        CompletableFuture<String> yours = open.toCompletableFuture();
        assertTrue(mine.cancel(true));
        assertFalse(open.ready(), "cancelling a future of it does not complete the result");
        assertFalse(yours.isDone(), "nor another caller's future");
        open.set("later");
        assertEquals("later", yours.getNow("not yet"));
    }

    @Test
    void aSetAfterTheLoopThatWaitedHasClosedStillWakesThreadsAndCompletesFutures() throws Exception {
        AsyncResult<String> result = new AsyncResult<>();
        // A loop waits for it (binding it to that loop), gives up, and closes.
        AtomicReference<Object> gaveUp = new AtomicReference<>();
        Thread.ofPlatform().start(() -> {
            try (Loop other = Loop.open()) {
                result.get(Duration.ofMillis(1));
            } catch (Exception e) {
                gaveUp.set(e);
            }
        }).join();
        assertInstanceOf(TimeoutException.class, gaveUp.get());
        CompletableFuture<String> future = result.toCompletableFuture();
        AtomicReference<Object> seen = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        // No bound on this wait: a timed one would recheck at its end and hide a wake-up that never came.
        Thread waiter = Thread.ofPlatform().daemon().start(() -> {
            try {
                waiting.countDown();
                seen.set(result.get());
            } catch (Exception e) {
                seen.set(e);
            }
        });
        waiting.await();
        Eventually.await("the waiter to wait", () -> waiter.getState() == Thread.State.WAITING);
        Thread.ofPlatform().start(() -> {
            try {
                result.set("set");
            } catch (RejectedExecutionException closedLoop) {
                // The loop that once waited is gone: set() says so, having set the result.
            }
        }).join();
        waiter.join(Eventually.LIMIT.toMillis());
        assertEquals("set", seen.get(), "the waiting thread was woken");
        assertEquals("set", future.getNow("not completed"));
    }

    @Test
    void getWithTheLongestTimeoutMeansForever() throws Exception {
        AsyncResult<String> result = new AsyncResult<>();
        result.set("ready");
        assertEquals("ready", result.get(Long.MAX_VALUE, TimeUnit.DAYS));
        AsyncResult<String> later = new AsyncResult<>();
        Greenlet<String> waiter = Green.spawn(() -> later.get(Long.MAX_VALUE, TimeUnit.DAYS));
        Green.sleep(Duration.ofMillis(20));
        assertFalse(waiter.ready(), "a bound of Long.MAX_VALUE days has not run out");
        later.set("set");
        assertEquals("set", waiter.get());
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
