package io.greenloop.internal;

import io.greenloop.AsyncResult;

import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * What a pool thread does with a task a greenlet waits on ({@code ThreadPool}, the DNS lookups): runs it and
 * hands its outcome to the {@link AsyncResult} the greenlet waits for. Not for applications. Any thread.
 */
public final class PoolTasks {

    private PoolTasks() {
    }

    /**
     * Runs {@code task} and completes {@code result} with its value or with whatever it threw. When the waiting
     * loop has closed meanwhile (its greenlet gave up and the loop ended), nobody is left to tell, and nothing is
     * thrown: {@code result} is new to this task, so being completed already is not possible.
     *
     * @param <T> the type of the value
     * @param task what a worker thread runs
     * @param result what the waiting greenlet waits for
     */
    public static <T> void runInto(Callable<T> task, AsyncResult<T> result) {
        T value;
        try {
            value = task.call();
        } catch (Throwable e) {
            failInto(result, e);
            return;
        }
        try {
            result.set(value);
        } catch (RejectedExecutionException loopClosed) {
            // The waiting loop has closed: nobody is left to tell.
        }
    }

    /**
     * Completes {@code result} (new to its task, not yet completed) with {@code error}, for a task that threw
     * or will never run; says nothing when the waiting loop has closed, as {@link #runInto} does.
     *
     * @param result what the waiting greenlet waits for
     * @param error the exception
     */
    public static void failInto(AsyncResult<?> result, Throwable error) {
        try {
            result.setException(error);
        } catch (RejectedExecutionException loopClosed) {
            // The waiting loop has closed: nobody is left to tell.
        }
    }
}
