package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
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

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
