package io.greenloop.http;

import io.greenloop.AsyncResult;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * Runs a client on a platform thread of its own while the test thread, which owns the loop, drives the loop
 * (serving) until the client is done: clients here are real, blocking JDK sockets and {@code HttpClient}s that
 * know nothing of greenloop.
 */
final class OffLoop {

    private OffLoop() {
    }

    /** {@code body}'s result, its exception rethrown as is (checked ones wrapped). */
    static <T> T call(Callable<T> body) {
        AsyncResult<T> result = new AsyncResult<>();
        Thread.ofPlatform().name("test-client").daemon(true).start(() -> {
            try {
                result.set(body.call());
            } catch (Throwable e) {
                result.setException(e);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new AssertionError("the client failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while the client ran", e);
        }
    }

    /** {@link #call} for a body without a result. */
    static void run(ThrowingRunnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
