package io.greenloop;

import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * What a worker thread does with a task a greenlet waits on ({@link ThreadPool}; the DNS lookups, through
 * {@code io.greenloop.lowlevel.LowLevel}): runs it and hands its outcome to the {@link AsyncResult} the greenlet
 * waits for. Any thread.
 */
final class PoolTasks {

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
    static <T> void runInto(Callable<T> task, AsyncResult<T> result) {
        run(task, (value, failure) -> complete(result, value, failure));
    }

    /**
     * Runs {@code task} and hands {@code outcome} its value, or {@code null} and whatever it threw.
     *
     * @param <T> the type of the value
     * @param task what to run, on the calling thread
     * @param outcome takes the value and the failure ({@code null} when it returned)
     */
    static <T> void run(Callable<T> task, BiConsumer<T, Throwable> outcome) {
        T value = null;
        Throwable failure = null;
        try {
            value = task.call();
        } catch (Throwable e) {
            failure = e;
        }
        outcome.accept(value, failure);
    }

    /**
     * Completes {@code result} (new to its task, not yet completed) with {@code error}, for a task that threw
     * or will never run; says nothing when the waiting loop has closed, as {@link #runInto} does.
     *
     * @param result what the waiting greenlet waits for
     * @param error the exception
     */
    static void failInto(AsyncResult<?> result, Throwable error) {
        complete(result, null, error);
    }

    /**
     * Completes {@code result} with {@code failure}, or with {@code value} when there is none; when the waiting loop
     * has closed meanwhile, nobody is left to tell, and nothing is thrown. {@code result} must not be completed yet.
     *
     * @param <T> the type of the value
     * @param result what the waiting greenlet waits for
     * @param value the value, when {@code failure} is {@code null}
     * @param failure the exception, or {@code null}
     */
    static <T> void complete(AsyncResult<T> result, T value, Throwable failure) {
        try {
            if (failure != null) {
                result.setException(failure);
            } else {
                result.set(value);
            }
        } catch (RejectedExecutionException loopClosed) {
            // The waiting loop has closed: nobody is left to tell.
        }
    }
}
