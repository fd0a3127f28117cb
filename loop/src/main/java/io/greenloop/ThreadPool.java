package io.greenloop;

import io.greenloop.internal.Deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of OS threads for blocking work that would otherwise hold the loop (gevent's
 * {@code ThreadPool}): file I/O, native calls, CPU-heavy code. Tasks run in FIFO order; each one's
 * {@link AsyncResult} is completed from its worker thread and wakes the greenlets waiting for it. A task
 * that is queued or running counts as pending work of the loop that spawned it, so
 * {@link Green#waitAll()} waits for it.
 *
 * <p>Two faces, one queue and one set of threads. The gevent face, for greenlets: {@link #spawn} and
 * {@link #apply}, whose waits are greenloop's (below). The {@link java.util.concurrent.ExecutorService} face,
 * for code that knows nothing of loops: {@link #execute}, {@code submit}, {@code invokeAll},
 * {@code invokeAny}, {@link #shutdown}, {@link #shutdownNow}, {@link #awaitTermination}, with the JDK's
 * meaning. They never make a loop; a task given from a greenlet or a loop's owner thread still counts as
 * pending work of that loop. Their futures are the JDK's: waiting on one parks a greenlet (a greenlet is a
 * virtual thread) and blocks any other thread, a loop's owner thread outside greenlets included, which
 * then holds up its loop: on a loop's thread prefer {@link #spawn} and {@link #apply}. A pool that is shut
 * down refuses {@link #spawn} and {@link #apply} with an {@link IllegalStateException} and the
 * {@code ExecutorService} methods with a {@link RejectedExecutionException}.
 *
 * <p>Thread rule: every method may be called from any thread. {@link #spawn} binds the task to the
 * calling thread's loop (made on first use, as {@link Green#spawn} does); waits ({@link #apply},
 * {@link #close()}, {@link #awaitTermination}) park a greenlet, drive the loop on its owner thread, and
 * block other threads. With a {@code maxQueued} bound, every way in first waits (as above) while that many
 * tasks wait for a worker. The worker threads are daemon threads, so a pool that is never closed does not
 * keep the JVM alive.
 */
public final class ThreadPool extends AbstractExecutorService {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final String name;
    private final int size;
    private final ThreadPoolExecutor executor;
    private final AsyncResult<Void> terminated = new AsyncResult<>();
    /** Every worker started, so that {@link #close()} can wait until they have ended, not only finished their work. */
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    /** How many tasks may wait for a worker before spawners wait; {@link Integer#MAX_VALUE}: no bound. */
    private final int maxQueued;
    /** Guards {@link #queued} and {@link #waitingForRoom}; taken by spawners and by workers as a task starts. */
    private final Object queueLock = new Object();
    private int queued;
    /** Spawners waiting for room in the queue, first come first woken; each is told once when a task starts. */
    private final java.util.ArrayDeque<AsyncResult<Void>> waitingForRoom = new java.util.ArrayDeque<>();

    /**
     * A pool of {@code threads} worker threads, started as tasks arrive; fewer than one is an {@link
     * IllegalArgumentException}.
     *
     * @param threads the number of worker threads
     */
    public ThreadPool(int threads) {
        this(threads, "greenloop-pool-" + POOLS.incrementAndGet());
    }

    /**
     * A pool of {@code threads} worker threads where at most {@code maxQueued} (1 or more) tasks wait for a
     * worker: {@link #spawn} parks the calling greenlet (drives the loop on its owner thread, blocks other
     * threads) while that many wait, so a fast producer cannot pile up unbounded work.
     *
     * @param threads the number of worker threads
     * @param maxQueued how many tasks may wait for a worker, 1 or more
     */
    public ThreadPool(int threads, int maxQueued) {
        this(threads, "greenloop-pool-" + POOLS.incrementAndGet(), maxQueued);
    }

    /**
     * A pool of {@code threads} worker threads named {@code name-1}, {@code name-2}, ...
     *
     * @param threads the number of worker threads
     * @param name the name
     */
    public ThreadPool(int threads, String name) {
        this(threads, name, Integer.MAX_VALUE);
    }

    private ThreadPool(int threads, String name, int maxQueued) {
        if (threads < 1) {
            throw new IllegalArgumentException("a ThreadPool needs at least one thread, but " + threads + " were asked for");
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("a ThreadPool's maxQueued must be 1 or more, not " + maxQueued
                    + " (tasks waiting for a worker); use new ThreadPool(threads) for no bound");
        }
        this.maxQueued = maxQueued;
        this.name = Objects.requireNonNull(name, "name");
        this.size = threads;
        ThreadFactory threadFactory = Thread.ofPlatform().name(name + "-", 1).daemon().inheritInheritableThreadLocals(false).factory();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread worker = threadFactory.newThread(task);
            workers.add(worker);
            return worker;
        }) {
            @Override
            protected void beforeExecute(Thread worker, Runnable task) {
                taskLeftQueue();
            }

            @Override
            protected void terminated() {
                tell(terminated);
            }
        };
    }

    /**
     * Queues {@code task} and returns at once with the result to come: its value, or the exception it threw
     * (as {@link AsyncResult#exception()}); when {@link #shutdownNow} removes it before it runs, a
     * {@link CancellationException}. Throws {@link IllegalStateException} once the pool is shut down.
     *
     * @param task what a worker thread runs
     * @param <T> the type of its value
     * @return the result to come
     */
    public <T> AsyncResult<T> spawn(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return spawnOn(task, Loop.current());
    }

    /**
     * Queues {@code task}; the result is {@code null} or the exception it threw.
     *
     * @param task what a worker thread runs
     * @return the result to come
     */
    public AsyncResult<Void> spawn(CheckedRunnable task) {
        Objects.requireNonNull(task, "task");
        return spawn(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Runs {@code task} on a worker thread and waits for it: a greenlet parks, the owner thread drives its
     * loop, another thread blocks. Returns the task's value or rethrows the very exception the task threw,
     * checked ones included (unwrapped, with the worker's stack trace). A kill or {@link Timeout} of the
     * waiting greenlet is raised at once; the task itself runs on to its end.
     *
     * @param task what a worker thread runs
     * @param <T> the type of its value
     * @return the task's value
     * @throws Exception what the task threw
     */
    public <T> T apply(Callable<T> task) throws Exception {
        Objects.requireNonNull(task, "task");
        Strand strand = Strand.current();
        // A thread with no loop just blocks: no loop is made for it, nothing needs keeping alive.
        AsyncResult<T> result = spawnOn(task, strand != null ? strand.loop : null);
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw Strand.<RuntimeException>sneaky(cause);
        }
    }

    /**
     * Queues {@code command} for a worker thread ({@link java.util.concurrent.Executor}'s contract). From a
     * greenlet or a loop's owner thread it counts as that loop's pending work until it has run; it makes no
     * loop. An exception it throws goes to the worker thread's uncaught-exception handler (a new worker takes
     * its place), as in {@link ThreadPoolExecutor}.
     *
     * @param command what a worker thread runs
     * @throws RejectedExecutionException once the pool is shut down
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        Strand strand = Strand.current();
        enqueue(command, null, strand != null ? strand.loop : null);
    }

    private <T> AsyncResult<T> spawnOn(Callable<T> task, Loop loop) {
        AsyncResult<T> result = new AsyncResult<>();
        try {
            enqueue(() -> PoolTasks.runInto(task, result), result, loop);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return result;
    }

    /**
     * Waits for room in the queue (with a bound), then hands {@code work} to the executor, keeping {@code loop}
     * (when not {@code null}) alive until it has run; refuses it once the pool is shut down.
     */
    private void enqueue(Runnable work, AsyncResult<?> result, Loop loop) {
        awaitRoomInQueue();
        QueuedTask task = new QueuedTask(work, result, loop);
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            taskLeftQueue();
            task.release();
            throw refusal(e);
        }
    }

    private RejectedExecutionException refusal(Throwable cause) {
        return new RejectedExecutionException(this + " is shut down or closed; it takes no more tasks (open a new ThreadPool)",
                cause);
    }

    /**
     * A task in the queue with the loop it keeps alive (given from a greenlet or a loop's owner thread) until it
     * has run or been removed; {@code result} is {@link #spawn}'s, which {@link #shutdownNow} fails.
     */
    private static final class QueuedTask implements Runnable {
        final Runnable work;
        final AsyncResult<?> result;
        final Cancellable pending;

        QueuedTask(Runnable work, AsyncResult<?> result, Loop loop) {
            this.work = work;
            this.result = result;
            this.pending = loop != null ? loop.keepAlive() : null;
        }

        @Override
        public void run() {
            try {
                work.run();
            } finally {
                release();
            }
        }

        void release() {
            if (pending != null) {
                pending.cancel();
            }
        }
    }

    /** Takes a place in the queue, first waiting (parking, driving the loop, or blocking) while it is full. */
    private void awaitRoomInQueue() {
        if (maxQueued == Integer.MAX_VALUE) {
            return;
        }
        while (true) {
            AsyncResult<Void> ticket = new AsyncResult<>();
            synchronized (queueLock) {
                if (executor.isShutdown()) {
                    throw refusal(null);  // also what a spawner woken by shutdown() finds
                }
                if (queued < maxQueued) {
                    queued++;
                    return;
                }
                waitingForRoom.add(ticket);
            }
            boolean told = false;
            try {
                ticket.get();
                told = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for room in " + this, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("unreachable: a room ticket carries no exception", e);
            } finally {
                if (!told) {
                    giveUpTicket(ticket);
                }
            }
        }
    }

    /** A spawner that stopped waiting (killed, timed out) passes on a wake-up it may have been given. */
    private void giveUpTicket(AsyncResult<Void> ticket) {
        boolean removed;
        synchronized (queueLock) {
            removed = waitingForRoom.remove(ticket);
        }
        if (!removed) {
            wakeNextSpawner();
        }
    }

    /** A task left the queue (a worker started it, or it was refused): one waiting spawner may try again. */
    private void taskLeftQueue() {
        if (maxQueued == Integer.MAX_VALUE) {
            return;
        }
        synchronized (queueLock) {
            queued--;
        }
        wakeNextSpawner();
    }

    private void wakeNextSpawner() {
        while (true) {
            AsyncResult<Void> next;
            synchronized (queueLock) {
                next = waitingForRoom.poll();
            }
            if (next == null) {
                return;
            }
            if (tell(next)) {
                return;
            }
            // That spawner's loop has closed: nobody is left there to tell; try the next one.
        }
    }

    /** Sets {@code waited}; {@code false} when the loop of whoever waited for it has closed (nobody to tell). */
    private static boolean tell(AsyncResult<Void> waited) {
        try {
            waited.set(null);
            return true;
        } catch (RejectedExecutionException loopClosed) {
            return false;
        }
    }

    /** Tells every spawner waiting for room to look again (after a shutdown, to be refused). */
    private void wakeAllSpawners() {
        List<AsyncResult<Void>> waiting;
        synchronized (queueLock) {
            waiting = new ArrayList<>(waitingForRoom);
            waitingForRoom.clear();
        }
        waiting.forEach(ThreadPool::tell);
    }

    /**
     * The number of worker threads.
     *
     * @return the number of worker threads
     */
    public int size() {
        return size;
    }

    /**
     * Takes no more tasks and returns at once; the queued and running ones finish. Calling it again does
     * nothing.
     */
    @Override
    public void shutdown() {
        executor.shutdown();
        wakeAllSpawners();
    }

    /**
     * Takes no more tasks, removes the queued ones and interrupts the running ones; returns at once. A removed
     * {@link #spawn} or {@link #apply} task fails its result with a {@link CancellationException} (its waiters
     * wake); every other removed task is returned, as given to {@link #execute} (for {@code submit} and
     * {@code invokeAll}: their {@link java.util.concurrent.FutureTask}s, which the JDK leaves to the caller to
     * run or cancel). No removed task keeps a loop waiting.
     *
     * @return the removed tasks other than {@link #spawn}'s and {@link #apply}'s, in queue order
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> removed = executor.shutdownNow();
        wakeAllSpawners();
        List<Runnable> neverRun = new ArrayList<>();
        for (Runnable queued : removed) {
            QueuedTask task = (QueuedTask) queued;
            taskLeftQueue();
            task.release();
            if (task.result != null) {
                PoolTasks.failInto(task.result, new CancellationException(this + ".shutdownNow() removed the task before it ran"));
            } else {
                neverRun.add(task.work);
            }
        }
        return neverRun;
    }

    /**
     * Whether {@link #shutdown}, {@link #shutdownNow} or {@link #close} was called. Never waits.
     *
     * @return whether the pool takes no more tasks
     */
    @Override
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    /**
     * Whether it is shut down and every task has finished or been removed. Never waits.
     *
     * @return whether no task is left
     */
    @Override
    public boolean isTerminated() {
        return terminated.ready();
    }

    /**
     * Waits until it is shut down and every task has finished or been removed, or until {@code timeout}
     * passes (zero or less: does not wait): parks a greenlet, drives the loop on its owner thread, blocks
     * another thread. Unlike {@link #close()} it does not shut the pool down.
     *
     * @param timeout how long to wait at most
     * @param unit the unit of {@code timeout}
     * @return {@code true} when terminated, {@code false} when the time ran out
     * @throws InterruptedException when a thread that owns no loop is interrupted while it waits
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            terminated.get(Deadline.bound(timeout, unit));
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: termination carries no exception", e);
        }
    }

    /**
     * Takes no more tasks, lets the queued and running ones finish, and waits until every worker thread has
     * ended (parking a greenlet, driving the loop on its owner thread). Calling it again does nothing. A thread
     * that owns no loop and is interrupted stops waiting and keeps its interrupt flag.
     */
    @Override
    public void close() {
        shutdown();
        try {
            terminated.get();
            // terminated() runs on the last worker just before it exits: a join here waits microseconds.
            for (Thread worker : workers) {
                worker.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a thread with no loop was interrupted: stop waiting, keep the flag
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: termination carries no exception", e);
        }
    }

    @Override
    public String toString() {
        return "ThreadPool[" + name + ", " + size + " threads, " + executor.getActiveCount() + " busy, "
                + executor.getQueue().size() + " queued" + (executor.isShutdown() ? ", shut down" : "") + "]";
    }
}
