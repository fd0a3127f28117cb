package io.greenloop;

import io.greenloop.internal.Deadline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The callbacks linked to one {@link Waitable}, gevent's {@code AbstractLinkable}: an ordered list run
 * FIFO while the owner stays ready, tolerant of links added or cancelled meanwhile. Callbacks (user code)
 * are never run inline by the call that made the owner ready, but by one notifier scheduled on the loop;
 * when every link only wakes a parked waiter, the wake-ups are done inline (they run no user code, they
 * queue the waiter's strand). Links present when an {@link Event} is set are released: they run even if
 * the event is cleared before the notifier gets to them. Also lets threads that own no loop wait for the
 * owner on its monitor or be called back when it is ready, and polls owners that implement only
 * {@link Waitable#ready()}. The list is
 * touched on its loop's thread only; the loop is bound by the first link.
 */
final class Links extends WaitList {

    private final Waitable owner;
    private final boolean readiedFromOutside;
    private Cancellable keepingLoopAlive;
    private volatile Loop loop;
    private boolean notifierScheduled;
    /** How many links run callbacks, as opposed to only waking a waiter. */
    private int callbackLinks;
    private int foreignWaiters;
    /** {@link #whenReadyFromAnyThread} callbacks not yet run; guarded by this object's monitor. */
    private List<Runnable> readyCallbacks;

    /**
     * Links for {@code owner}, bound to {@code loop} or (when {@code null}) to the loop of the first link.
     * {@code readiedFromOutside} says another thread may make the owner ready ({@link AsyncResult}): while
     * anything is linked to it and it is not ready, its loop counts that as pending cross-thread work, so
     * a loop-owning thread waiting for it polls instead of throwing {@link LoopExit}.
     */
    Links(Waitable owner, Loop loop, boolean readiedFromOutside) {
        this.owner = owner;
        this.loop = loop;
        this.readiedFromOutside = readiedFromOutside;
    }

    /** A linked callback; a waiter's wake-up is the {@link Waiter} itself, linked as it is. */
    private final class CallbackLink extends WaitNode implements Cancellable {
        final Runnable callback;

        CallbackLink(Runnable callback) {
            this.callback = callback;
        }

        @Override
        public boolean cancel() {
            return unlink(this);
        }
    }

    /** Links {@code callback}; when the owner is ready already, the notifier is scheduled at once. */
    Cancellable add(Runnable callback) {
        java.util.Objects.requireNonNull(callback, "callback");
        bindCaller();
        CallbackLink link = new CallbackLink(callback);
        callbackLinks++;
        link(link);
        return link;
    }

    /**
     * Binds the links to the caller's loop on first use (on a thread with none, its default loop, opened now)
     * and returns the caller's strand; a caller of another loop is refused.
     */
    private Strand bindCaller() {
        Loop bound = loop;
        Strand caller = bound == null ? null : bound.thread.currentStrand();
        if (caller == null) {
            caller = Strand.resolve();
            if (bound == null) {
                loop = caller.loop;
            } else if (bound != caller.loop) {
                throw new IllegalStateException(owner + " belongs to " + bound + "; it cannot be awaited from " + caller.loop);
            }
        }
        return caller;
    }

    private void link(WaitNode node) {
        if (isEmpty() && readiedFromOutside && !owner.ready()) {
            keepingLoopAlive = loop.keepAlive();
        }
        append(node);
        if (owner.ready()) {
            scheduleNotifier();
        }
    }

    /**
     * Notifies the links, on the loop's thread. When every link only wakes a waiter, they are woken here
     * and now (a wake-up runs no user code: it queues the waiter's greenlet), which saves a trip through
     * the ready queue per hand-off; otherwise the notifier is scheduled and runs them all, in order.
     */
    void notifyLinks() {
        if (head == null) {
            return;
        }
        if (callbackLinks == 0 && !notifierScheduled) {
            runLinks();
        } else {
            scheduleNotifier();
        }
    }

    /**
     * Releases every link present now (they run even if the owner stops being ready before the notifier
     * gets to them: gevent's {@code Event.set()} then {@code clear()}), then notifies; from any thread, a
     * call off the loop is handed to it. Nothing is linked while no loop is bound: a link made
     * concurrently sees the owner ready itself (the owner's ready flag and {@link #loop} are volatile).
     */
    void releaseAll() {
        Loop bound = loop;
        if (bound == null) {
            return;
        }
        if (!bound.thread.isCurrent()) {
            try {
                bound.handOff(this::releaseAll);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // Its loop has closed: nobody is left waiting to wake.
            }
            return;
        }
        for (WaitNode node = head; node != null; node = node.next) {
            node.released = true;
        }
        notifyLinks();
    }

    /** The loop the links are bound to, or {@code null} before the first link. */
    Loop loop() {
        return loop;
    }

    /**
     * Like {@link #notifyLinks()}, from any thread: hands the notification to the loop, wakes monitor waiters and
     * runs the {@link #whenReadyFromAnyThread} callbacks here. The waiters and callbacks are served even when the
     * loop has closed (the hand-off then throws {@link java.util.concurrent.RejectedExecutionException}): they
     * need no loop.
     */
    void notifyFromAnyThread() {
        try {
            Loop bound = loop;
            if (bound != null) {
                if (bound.thread.isCurrent()) {
                    notifyLinks();
                } else {
                    bound.handOff(this::notifyLinks);
                }
            }
        } finally {
            List<Runnable> callbacks;
            synchronized (this) {
                if (foreignWaiters > 0) {
                    notifyAll();
                }
                callbacks = readyCallbacks;
                readyCallbacks = null;
            }
            if (callbacks != null) {
                callbacks.forEach(Runnable::run);
            }
        }
    }

    /**
     * A new future that completes, once the owner is ready, with what {@code owner.get()} then returns or throws
     * (it no longer waits then): the value, the cause of its {@link ExecutionException},
     * or its {@link CancellationException}. {@code owner} is the owner of these links.
     */
    <T> CompletableFuture<T> newCompletableFuture(Future<T> owner) {
        CompletableFuture<T> future = new CompletableFuture<>();
        whenReadyFromAnyThread(() -> {
            try {
                future.complete(owner.get());
            } catch (ExecutionException e) {
                future.completeExceptionally(e.getCause());
            } catch (CancellationException | InterruptedException e) {
                future.completeExceptionally(e);  // a cancellation; an interrupt cannot come: a ready owner does not wait
            }
        });
        return future;
    }

    /**
     * Runs {@code callback} once the owner is ready, on the thread that makes it ready, or at once on this
     * thread when it is ready already. From any thread; binds no loop and makes none, so a thread that owns
     * none can wait this way without blocking. For owners whose readiness is final ({@link Greenlet},
     * {@link AsyncResult}); the callback must not throw.
     */
    void whenReadyFromAnyThread(Runnable callback) {
        java.util.Objects.requireNonNull(callback, "callback");
        synchronized (this) {
            // The owner turns ready before it notifies, and the notification takes this lock: either we see it
            // ready here, or the notification finds the callback in the list.
            if (!owner.ready()) {
                if (readyCallbacks == null) {
                    readyCallbacks = new ArrayList<>(1);
                }
                readyCallbacks.add(callback);
                return;
            }
        }
        callback.run();
    }

    /** Blocks a thread that owns no loop until the owner is ready; {@code true} when it is. */
    synchronized boolean awaitOnMonitor(java.time.Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        boolean interrupted = false;
        foreignWaiters++;
        try {
            while (!owner.ready()) {
                long millis = 0;  // Object.wait's "without limit"
                if (!deadline.isNone()) {
                    long left = deadline.nanosLeft();
                    if (left == 0) {
                        return false;
                    }
                    millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
                }
                try {
                    wait(millis);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            foreignWaiters--;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void scheduleNotifier() {
        if (!notifierScheduled) {
            notifierScheduled = true;
            loop.readyQueue.add(this::runLinks);
        }
    }

    private void runLinks() {
        notifierScheduled = false;
        while (head != null && (head.released || owner.ready())) {
            WaitNode node = head;
            unlink(node);
            try {
                if (node instanceof Waiter<?> waiter) {
                    waiter.wake(null);
                } else {
                    ((CallbackLink) node).callback.run();
                }
            } catch (Throwable e) {
                loop.errors.report(null, e);
            }
        }
    }

    /** For a {@link Waitable} that only tells {@link Waitable#ready()}: nothing wakes us, so the loop looks every so often. */
    static Cancellable pollUntilReady(Waitable owner, Runnable callback) {
        java.util.Objects.requireNonNull(callback, "callback");
        return new ReadyPoll(Strand.resolve().loop, owner, callback).start();
    }

    /** A {@link #pollUntilReady} in progress: checks {@code ready()} now and then every {@link #INTERVAL}. */
    private static final class ReadyPoll implements Cancellable {
        /** Short enough that waitAll() over a polled object is not visibly late, long enough to cost nothing. */
        static final java.time.Duration INTERVAL = java.time.Duration.ofMillis(5);
        final Loop loop;
        final Waitable owner;
        final Runnable callback;
        Cancellable timer;
        boolean over;

        ReadyPoll(Loop loop, Waitable owner, Runnable callback) {
            this.loop = loop;
            this.owner = owner;
            this.callback = callback;
        }

        ReadyPoll start() {
            timer = loop.timer(java.time.Duration.ZERO, this::check);
            return this;
        }

        void check() {
            if (over) {
                return;
            }
            if (owner.ready()) {
                over = true;
                callback.run();
            } else {
                timer = loop.timer(INTERVAL, this::check);
            }
        }

        @Override
        public boolean cancel() {
            if (over) {
                return false;
            }
            over = true;
            timer.cancel();
            return true;
        }
    }

    private boolean unlink(WaitNode node) {
        if (!remove(node)) {
            return false;
        }
        if (node instanceof CallbackLink) {
            callbackLinks--;
        }
        if (head == null && keepingLoopAlive != null) {
            keepingLoopAlive.cancel();
            keepingLoopAlive = null;
        }
        return true;
    }

    /**
     * Parks the calling strand until the owner is ready or {@code timeout} passes: the wait that
     * {@code Greenlet.join}, {@code Event.await} and {@code AsyncResult.get} share. {@code true} when ready.
     */
    boolean awaitReady(java.time.Duration timeout, String what) {
        if (owner.ready()) {
            return true;
        }
        Waiter<Void> waiter = new Waiter<>(bindCaller(), what);
        link(waiter);
        try {
            return waiter.await(timeout);
        } finally {
            unlink(waiter);
        }
    }
}
