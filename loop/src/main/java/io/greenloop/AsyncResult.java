package io.greenloop;

import io.greenloop.internal.Deadline;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A value or an exception that arrives later, possibly from another thread, gevent's
 * {@code AsyncResult}. {@link #set} and {@link #setException} are thread-safe and may be called once;
 * waiters on a loop are woken by its notifier, other threads directly. A greenlet or loop-owning thread
 * waiting for it keeps its loop alive, since another thread may be the one to set it.
 *
 * @param <T> the type of the value
 */
public final class AsyncResult<T> implements Future<T>, Waitable {

    private static final int UNSET = 0;
    private static final int SETTING = 1;
    private static final int SET = 2;

    private final Links links = new Links(this, null, true);
    private final AtomicInteger state = new AtomicInteger(UNSET);
    private T value;
    private Throwable exception;

    /** An empty result. */
    public AsyncResult() {
    }

    /**
     * Completes it with {@code value} and wakes its waiters; thread-safe. Throws {@link IllegalStateException} when
     * already completed.
     *
     * @param value the value
     */
    public void set(T value) {
        complete(value, null);
    }

    /**
     * Completes it with {@code error} and wakes its waiters; thread-safe. Throws {@link IllegalStateException} when
     * already completed.
     *
     * @param error the exception
     */
    public void setException(Throwable error) {
        complete(null, java.util.Objects.requireNonNull(error, "error"));
    }

    private void complete(T result, Throwable error) {
        if (!state.compareAndSet(UNSET, SETTING)) {
            throw new IllegalStateException("this AsyncResult is already completed" + (exception != null ? " with " + exception : ""));
        }
        value = result;
        exception = error;
        state.set(SET);
        links.notifyFromAnyThread();
    }

    @Override
    public boolean ready() {
        return state.get() == SET;
    }

    /**
     * The value once set, else {@code null}. Never waits.
     *
     * @return the value once set, else {@code null}
     */
    public T value() {
        return ready() ? value : null;
    }

    /**
     * The exception once set with one, else {@code null}. Never waits.
     *
     * @return the exception once set with one, else {@code null}
     */
    public Throwable exception() {
        return ready() ? exception : null;
    }

    /**
     * Whether it was completed with a value.
     *
     * @return whether it was completed with a value
     */
    public boolean successful() {
        return ready() && exception == null;
    }

    /** Waits until it is set (parking a greenlet, driving the owner's loop, or blocking another thread) and returns the value. */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        awaitSet(null);
        return outcome();
    }

    /**
     * Like {@link #get()} but gives up after {@code timeout} with a {@link TimeoutException}.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the value
     * @throws InterruptedException when a thread that owns no loop is interrupted while it waits
     * @throws ExecutionException wrapping the exception it was set with
     * @throws TimeoutException when {@code timeout} passes first
     */
    public T get(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        if (!awaitSet(timeout)) {
            throw new TimeoutException("no result " + Deadline.waited(timeout));
        }
        return outcome();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return get(Deadline.bound(timeout, unit));
    }

    private boolean awaitSet(Duration timeout) throws InterruptedException {
        if (ready()) {
            return true;
        }
        if (Strand.current() == null) {
            boolean set = links.awaitOnMonitor(timeout);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return set;
        }
        return links.awaitReady(timeout, "AsyncResult.get()");
    }

    private T outcome() throws ExecutionException {
        if (exception instanceof CancellationException cancelled) {
            throw cancelled;
        }
        if (exception != null) {
            throw new ExecutionException(exception);
        }
        return value;
    }

    /**
     * A new {@link CompletableFuture} that completes when this result is set: with its value, or exceptionally
     * with its exception (a {@link CancellationException} as a cancellation). Call it from any thread: it
     * waits for nothing, binds this result to no loop and makes none, so code that composes
     * {@link java.util.concurrent.CompletionStage}s can wait for a result set by a greenlet or a pool thread
     * without blocking a thread. Stages added with the non-async methods run on the thread that calls
     * {@link #set} or {@link #setException} (at once, on the caller's thread, when it is set already): when
     * that is a greenlet, keep them short and non-blocking, or use the {@code ...Async} methods with an
     * executor such as a {@link LoopGroup} or {@link ThreadPool}.
     *
     * <p>Each call returns a future of its own: completing or cancelling it changes neither this result nor
     * the futures of other callers.
     *
     * @return a future completed with this result's outcome
     */
    public CompletableFuture<T> toCompletableFuture() {
        return links.newCompletableFuture(this);
    }

    /** Not supported: an {@code AsyncResult} is completed by whoever holds it; returns {@code false}. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean isDone() {
        return ready();
    }

    @Override
    public Cancellable onReady(Runnable callback) {
        return links.add(callback);
    }

    @Override
    public String toString() {
        return "AsyncResult[" + (!ready() ? "unset" : exception != null ? "failed: " + exception : "set") + "]";
    }
}
