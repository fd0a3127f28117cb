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
     */
    public static <T> void runInto(Callable<T> task, AsyncResult<T> result) {
        try {
            T value;
            try {
                value = task.call();
            } catch (Throwable e) {
                result.setException(e);
                return;
            }
            result.set(value);
        } catch (RejectedExecutionException loopClosed) {
            // The waiting loop has closed: nobody is left to tell.
        }
    }
}
