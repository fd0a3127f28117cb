package io.greenloop;

import io.greenloop.internal.PoolTasks;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed number of OS threads for blocking work that would otherwise hold the loop (gevent's
 * {@code ThreadPool}): file I/O, native calls, CPU-heavy code. Tasks run in FIFO order; each one's
 * {@link AsyncResult} is completed from its worker thread and wakes the greenlets waiting for it. A task
 * that is queued or running counts as pending work of the loop that spawned it, so
 * {@link Green#waitAll()} waits for it.
 *
 * <p>Thread rule: every method may be called from any thread. {@link #spawn} binds the task to the
 * calling thread's loop (made on first use, as {@link Green#spawn} does); waits ({@link #apply},
 * {@link #close()}) park a greenlet, drive the loop on its owner thread, and block other threads.
 * With a {@code maxQueued} bound, {@link #spawn} and {@link #apply} first wait (as above) while that many
 * tasks wait for a worker. The worker threads are daemon threads, so a pool that is never closed does not keep the JVM alive.
 */
public final class ThreadPool implements AutoCloseable {

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

    /** A pool of {@code threads} worker threads, started as tasks arrive; fewer than one is an {@link IllegalArgumentException}. */
    public ThreadPool(int threads) {
        this(threads, "greenloop-pool-" + POOLS.incrementAndGet());
    }

    /**
     * A pool of {@code threads} worker threads where at most {@code maxQueued} (1 or more) tasks wait for a
     * worker: {@link #spawn} parks the calling greenlet (drives the loop on its owner thread, blocks other
     * threads) while that many wait, so a fast producer cannot pile up unbounded work.
     */
    public ThreadPool(int threads, int maxQueued) {
        this(threads, "greenloop-pool-" + POOLS.incrementAndGet(), maxQueued);
    }

    /** A pool of {@code threads} worker threads named {@code name-1}, {@code name-2}, ... */
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
                terminated.set(null);
            }
        };
    }

    /**
     * Queues {@code task} and returns at once with the result to come: its value, or the exception it threw
     * (as {@link AsyncResult#exception()}). Throws {@link IllegalStateException} once the pool is closed.
     */
    public <T> AsyncResult<T> spawn(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return submit(task, Loop.current());
    }

    /** Queues {@code task}; the result is {@code null} or the exception it threw. */
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
     */
    public <T> T apply(Callable<T> task) throws Exception {
        Objects.requireNonNull(task, "task");
        Strand strand = Strand.current();
        // A thread with no loop just blocks: no loop is made for it, nothing needs keeping alive.
        AsyncResult<T> result = submit(task, strand != null ? strand.loop : null);
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

    private <T> AsyncResult<T> submit(Callable<T> task, Loop loop) {
        awaitRoomInQueue();
        AsyncResult<T> result = new AsyncResult<>();
        Cancellable pending = loop != null ? loop.keepAlive() : null;
        try {
            executor.execute(() -> run(task, result, pending));
        } catch (RejectedExecutionException e) {
            taskLeftQueue();
            if (pending != null) {
                pending.cancel();
            }
            throw new IllegalStateException(this + " is closed; it takes no more tasks (open a new ThreadPool)", e);
        }
        return result;
    }

    /** Takes a place in the queue, first waiting (parking, driving the loop, or blocking) while it is full. */
    private void awaitRoomInQueue() {
        if (maxQueued == Integer.MAX_VALUE) {
            return;
        }
        while (true) {
            AsyncResult<Void> ticket = new AsyncResult<>();
            synchronized (queueLock) {
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
            try {
                next.set(null);
                return;
            } catch (RejectedExecutionException e) {
                // That spawner's loop has closed: nobody is left there to tell; try the next one.
            }
        }
    }

    private static <T> void run(Callable<T> task, AsyncResult<T> result, Cancellable pending) {
        try {
            PoolTasks.runInto(task, result);
        } finally {
            if (pending != null) {
                pending.cancel();
            }
        }
    }

    /** The number of worker threads. */
    public int size() {
        return size;
    }

    /**
     * Takes no more tasks, lets the queued and running ones finish, and waits until every worker thread has
     * ended (parking a greenlet, driving the loop on its owner thread). Calling it again does nothing.
     */
    @Override
    public void close() {
        executor.shutdown();
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
                + executor.getQueue().size() + " queued" + (executor.isShutdown() ? ", closed" : "") + "]";
    }
}
