package io.greenloop;

import io.greenloop.internal.Deadline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A greenlet: a body running on a virtual thread whose scheduler is its {@link Loop}, so that every
 * blocking call inside it parks it and lets the loop run others. Made by {@link Green#spawn} or
 * {@link Loop#spawn}, or made unstarted by {@link #unstarted} and started later by {@link #start()} or
 * {@link #startLater}. A {@link Future} of the body's result.
 *
 * <p>Thread rule: {@link #join()}, {@link #get()} and the state queries work from any thread (a thread
 * that owns no loop just blocks); {@link #kill()}, {@link #start()} and {@link #link} on its loop's thread
 * or greenlets.
 *
 * @param <T> the type of the value
 */
public final class Greenlet<T> implements Future<T>, Waitable {

    private static final VarHandle LINKS;

    static {
        try {
            LINKS = MethodHandles.lookup().findVarHandle(Greenlet.class, "links", Links.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A {@link Callable}, or a {@link CheckedRunnable} (whose result is {@code null}). */
    private final Object body;
    private final String name;
    private final Strand strand;
    /** Made by the first link or waiter: most greenlets are joined only through joinAll's links, or never. */
    private volatile Links links;
    /** The timer of {@link #startLater} while it is armed. */
    private Cancellable startTimer;
    private T value;
    private Throwable exception;
    private boolean cancelled;
    private long completionNumber = -1;
    /** Its neighbours in its loop's list of live greenlets; only {@link Liveness} reads or writes them. */
    Greenlet<?> livePrev;
    Greenlet<?> liveNext;

    /** A greenlet's life; the transitions are in the table above {@link #state}. */
    enum State {
        /** Made by {@link #unstarted}, not started: gevent's {@code Greenlet(run)}. */
        NEW,
        /** {@link #startLater} armed its timer. */
        DELAYED,
        /** Its virtual thread is started and waits for the loop to run it. */
        SCHEDULED,
        /** Its body runs (or is parked). */
        RUNNING,
        /** It finished, or was killed before it ran. */
        DEAD
    }

    /**
     * Where it is in its life, written on the loop's thread or its own, read anywhere. Transitions, as
     * OpenJDK's {@code VirtualThread} tables its own (from, to: by what):
     * <pre>
     *   NEW       -> SCHEDULED : start(), or startLater()'s timer firing: its virtual thread is started
     *   NEW       -> DELAYED   : startLater(): a timer is armed, no thread yet
     *   DELAYED   -> SCHEDULED : the timer fires
     *   NEW       -> DEAD      : kill() before any start: it never runs, GreenletExit is its exception
     *   DELAYED   -> DEAD      : kill() while the timer is armed: the timer is cancelled, it never runs
     *   SCHEDULED -> RUNNING   : the loop first runs its thread (a kill that came first is raised here,
     *                            before the body, so RUNNING -> DEAD at once)
     *   RUNNING   -> DEAD      : the body returned or threw
     * </pre>
     * Only NEW and DELAYED greenlets are not counted live by their loop; DEAD is final, and
     * {@code value}/{@code exception} are written before it (the volatile write publishes them).
     */
    private volatile State state = State.NEW;

    Greenlet(Loop loop, Object body, String name) {
        this.body = body;
        this.name = name;
        this.strand = new Strand(loop, this, null);
    }

    /**
     * A greenlet that runs {@code body} once {@link #start()}ed, on the calling thread's loop (on a thread
     * with none, its default loop, opened now): gevent's {@code Greenlet(run)}. Until started it does not
     * keep the loop alive; a kill before the start means it never runs.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return a greenlet that runs {@code body} once {@link #start()}ed, on the calling thread's loop
     */
    public static <T> Greenlet<T> unstarted(Callable<T> body) {
        return Loop.current().scheduler.newGreenlet(body);
    }

    /**
     * Schedules it to run on its loop soon; a second call (or one after {@link #startLater}) does nothing. Loop
     * thread only.
     *
     * @return this greenlet
     */
    public Greenlet<T> start() {
        strand.loop.thread.require("Greenlet.start");
        if (state == State.NEW) {
            launch();
        }
        return this;
    }

    /**
     * Schedules it to run after {@code delay}, gevent's {@code start_later}; until then it is not running,
     * and a kill stops it from ever running. Does nothing when already started. Loop thread only.
     *
     * @param delay how long from now
     * @return this greenlet
     */
    public Greenlet<T> startLater(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        strand.loop.thread.require("Greenlet.startLater");
        if (state == State.NEW) {
            state = State.DELAYED;
            startTimer = strand.loop.timer(delay, this::launch);
        }
        return this;
    }

    private void launch() {
        startTimer = null;
        Thread thread = strand.loop.scheduler.newThread(name, strand);
        strand.thread = thread;
        state = State.SCHEDULED;
        strand.loop.liveness.greenletStarted(this);
        thread.start();
    }

    /**
     * Whether {@link #start()} or {@link #startLater} was called (a spawned greenlet starts at once). Never waits.
     *
     * @return whether {@link #start()} or {@link #startLater} was called
     */
    public boolean started() {
        return state != State.NEW;
    }

    /**
     * Whether it has finished, or was killed before it ran. Never waits.
     *
     * @return whether it has finished, or was killed before it ran
     */
    public boolean dead() {
        return state == State.DEAD;
    }

    /**
     * What it runs, for the loop's default error report ({@link io.greenloop.internal.ComponentTask} says whose it
     * is) and {@code LowLevel.currentGreenletBody()}.
     */
    Object body() {
        return body;
    }

    /** Where it is in its life, for diagnostics. */
    State lifeState() {
        return state;
    }

    /** The body of its virtual thread (through {@link Strand#run()}, which saves a lambda per greenlet). */
    @SuppressWarnings("unchecked")
    void runBody() {
        strand.bindToCurrentThread();
        strand.loop.thread.running(strand);
        state = State.RUNNING;
        LoopEvents.greenletSpawned(strand.loop, this);
        T result = null;
        Throwable failure = null;
        try {
            strand.raisePending();  // killed before it started: the body never runs
            // The body is called from here, not from a helper: every frame below a parked greenlet's wait is kept
            // on the heap while it waits, and this one is kept by every greenlet.
            if (body instanceof Callable<?> callable) {
                result = (T) callable.call();
            } else {
                ((CheckedRunnable) body).run();
            }
        } catch (Throwable e) {
            failure = e;
        }
        try {
            finish(result, failure);
        } finally {
            strand.loop.thread.ended(strand.thread);
        }
    }

    private void finish(T result, Throwable failure) {
        if (failure != null && !(failure instanceof GreenletExit) && strand.hasPendingExit()) {
            // A kill interrupted a JDK blocking call, which threw its own exception: the kill is what happened.
            failure = new GreenletExit("killed during a blocking JDK call (" + failure + ")");
        }
        value = result;
        exception = failure;
        completionNumber = strand.loop.liveness.greenletFinished(this);
        LoopEvents.greenletExited(strand.loop, this, failure);
        state = State.DEAD;
        // Pairs with links(): we write `state` and then read `links`; a waiter writes `links` and then reads `state`.
        Links linked = links;
        if (linked != null) {
            linked.notifyFromAnyThread();
        }
        if (failure != null && !(failure instanceof GreenletExit)) {
            strand.loop.errors.report(this, failure);
        }
    }

    private Links links() {
        Links linked = links;
        if (linked == null) {
            Links made = new Links(this, strand.loop, false);
            linked = (Links) LINKS.compareAndExchange(this, (Links) null, made);
            if (linked == null) {
                linked = made;
            }
        }
        return linked;
    }

    /** Its loop, which its strand holds (one field less per greenlet). */
    Loop loop() {
        return strand.loop;
    }

    Strand strand() {
        return strand;
    }

    /** Whether its body has begun (so an interrupt would reach the body rather than the start). */
    boolean hasStarted() {
        State now = state;
        return now == State.RUNNING || now == State.DEAD;
    }

    /** The order in which it finished among its loop's greenlets, or -1 while it runs. */
    long completionNumber() {
        return completionNumber;
    }

    /**
     * The body's result once it finished successfully, else {@code null}. Never waits.
     *
     * @return the body's result once it finished successfully, else {@code null}
     */
    public T value() {
        return state == State.DEAD && exception == null ? value : null;
    }

    /**
     * The exception it failed with (or the {@link GreenletExit} that killed it), else {@code null}. Never waits.
     *
     * @return the exception it failed with
     */
    public Throwable exception() {
        return state == State.DEAD ? exception : null;
    }

    /** Whether it has finished, in any way. Never waits. */
    @Override
    public boolean ready() {
        return state == State.DEAD;
    }

    /**
     * Whether it finished without an exception; being killed with {@link GreenletExit} counts as successful, as in
     * gevent.
     *
     * @return whether it finished without an exception
     */
    public boolean successful() {
        return state == State.DEAD && (exception == null || exception instanceof GreenletExit);
    }

    /**
     * Its name, {@code Greenlet-N} in spawn order on its loop; also its virtual thread's name.
     *
     * @return its name, {@code Greenlet-N} in spawn order on its loop; also its virtual thread's name
     */
    public String name() {
        return name;
    }

    /** Waits until it has finished, parking a greenlet or driving the loop on the owner thread. */
    public void join() {
        join(null);
    }

    /**
     * Waits until it has finished or {@code timeout} passed ({@code null}: no timeout); {@code true} when finished.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when it has finished
     */
    public boolean join(Duration timeout) {
        if (state == State.DEAD) {
            return true;
        }
        Strand current = strand.loop.thread.currentStrand();
        if (current == null && (current = Strand.current()) == null) {
            return links().awaitOnMonitor(timeout);
        }
        if (current == strand) {
            throw new IllegalStateException(name() + " cannot join itself: it would wait forever");
        }
        return links().awaitReady(timeout, "join() of " + name());
    }

    /** Waits for it to finish and returns its value; a failure is thrown as an {@link ExecutionException}, a {@link #cancel} as a {@link CancellationException}. */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        join();
        return outcome();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!join(Deadline.bound(timeout, unit))) {
            throw new TimeoutException(name() + " did not finish within " + timeout + " " + unit);
        }
        return outcome();
    }

    private T outcome() throws ExecutionException {
        if (cancelled) {
            throw new CancellationException(name() + " was cancelled");
        }
        if (exception != null && !(exception instanceof GreenletExit)) {
            throw new ExecutionException(name() + " failed: " + exception, exception);
        }
        return value();
    }

    /**
     * A new {@link CompletableFuture} that completes when this greenlet finishes, as {@link #get()} reports it:
     * with its value ({@code null} when it was killed with {@link GreenletExit}, which counts as success, as
     * in gevent), exceptionally with what it threw, or with a {@link CancellationException} after
     * {@link #cancel}. Call it from any thread: it waits for nothing and makes no loop, so code that composes
     * {@link java.util.concurrent.CompletionStage}s can wait for greenlets without blocking a thread. Stages
     * added with the non-async methods run on its loop's thread as it finishes, inside the finishing greenlet
     * (or at once, on the caller's thread, when it has finished already): keep them short and non-blocking, or
     * use the {@code ...Async} methods with an executor such as a {@link LoopGroup} or {@link ThreadPool}.
     *
     * <p>Each call returns a future of its own. Cancelling it (or completing it) does not kill the greenlet
     * and changes nothing for other callers: to stop the greenlet, {@link #kill()} or {@link #cancel} it.
     * A greenlet that never finishes (never started, or still running when its loop closed) never completes
     * the future, as it never ends a {@link #join()}.
     *
     * @return a future completed with this greenlet's outcome
     */
    public CompletableFuture<T> toCompletableFuture() {
        return links().newCompletableFuture(this);
    }

    /** Kills it with {@link GreenletExit} and waits until it is dead. */
    public void kill() {
        kill(null, true, null);
    }

    /**
     * Kills it with {@link GreenletExit}; {@code block=false} returns at once, as gevent's {@code kill(g,
     * block=False)}. Loop thread only.
     *
     * @param block whether to wait until it is dead
     */
    public void kill(boolean block) {
        kill(null, block, null);
    }

    /**
     * Raises {@code error} ({@code null}: a {@link GreenletExit}) in it at its current or next blocking
     * point (a greenlet that has not started dies at once and never runs); with {@code block}, waits up to
     * {@code timeout} ({@code null}: no limit) until it is dead. Loop thread only.
     *
     * @param error the exception
     * @param block whether to wait until it is dead
     * @param timeout how long to wait at most; {@code null}: no limit
     */
    public void kill(Throwable error, boolean block, Duration timeout) {
        Throwable raised = error != null ? error : new GreenletExit();
        strand.loop.thread.require("kill");
        State now = state;
        if (now == State.DEAD) {
            return;
        }
        if (now == State.NEW || now == State.DELAYED) {
            killBeforeStart(raised);
            return;
        }
        if (strand.loop.thread.currentStrand() == strand) {
            throw Strand.<RuntimeException>sneaky(raised);
        }
        strand.throwInto(raised);
        if (block) {
            join(timeout);
        }
    }

    /** A greenlet killed before its thread was made dies here, with the kill as its outcome, and never runs. */
    private void killBeforeStart(Throwable error) {
        if (startTimer != null) {
            startTimer.cancel();
            startTimer = null;
        }
        state = State.SCHEDULED;
        strand.loop.liveness.greenletStarted(this);  // counted and finished like any other, so its loop's books stay balanced
        finish(null, error);
    }

    /** Kills it without waiting, as {@link Future#cancel}; {@code true} when it had not finished. Loop thread only. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (state == State.DEAD) {
            return false;
        }
        cancelled = true;
        kill(new GreenletExit("cancelled"), false, null);
        return true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean isDone() {
        return state == State.DEAD;
    }

    /**
     * Runs {@code callback} with this greenlet on the loop after it finishes; linking a finished greenlet
     * schedules the callback at once. Loop thread only.
     *
     * @param callback what to run
     * @return this greenlet
     */
    public Greenlet<T> link(Consumer<? super Greenlet<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        links().add(() -> callback.accept(this));
        return this;
    }

    @Override
    public Cancellable onReady(Runnable callback) {
        return links().add(callback);
    }

    @Override
    public String toString() {
        State now = state;
        String shown = now != State.DEAD ? now.name().toLowerCase(java.util.Locale.ROOT) : successful() ? "done" : "failed";
        return "Greenlet[" + name() + ", " + shown + "]";
    }
}
