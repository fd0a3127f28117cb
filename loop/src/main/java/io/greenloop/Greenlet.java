package io.greenloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A greenlet: a body running on a virtual thread whose scheduler is its {@link Loop}, so that every
 * blocking call inside it parks it and lets the loop run others. Made by {@link Green#spawn} or
 * {@link Loop#spawn}. A {@link Future} of the body's result.
 *
 * <p>Thread rule: {@link #join()}, {@link #get()} and the state queries work from any thread (a thread
 * that owns no loop just blocks); {@link #kill()} and {@link #link} on its loop's thread or greenlets.
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

    private final Loop loop;
    private final Callable<T> body;
    private final String name;
    private final Strand strand;
    /** Made by the first link or waiter: most greenlets are joined only through joinAll's links, or never. */
    private volatile Links links;
    private volatile boolean started;
    private volatile boolean done;
    private T value;
    private Throwable exception;
    private boolean cancelled;
    private long completionNumber = -1;

    Greenlet(Loop loop, Callable<T> body, String name) {
        this.loop = loop;
        this.body = body;
        this.name = name;
        this.strand = new Strand(loop, this, null);
    }

    void start(Thread.Builder.OfVirtual threads) {
        Thread thread = threads.name(name).unstarted(this::runBody);
        strand.thread = thread;
        loop.greenletStarted(this);
        thread.start();
    }

    private void runBody() {
        strand.bindToCurrentThread();
        started = true;
        LoopEvents.greenletSpawned(loop, this);
        T result = null;
        Throwable failure = null;
        try {
            strand.raisePending();  // killed before it started: the body never runs
            result = body.call();
        } catch (Throwable e) {
            failure = e;
        }
        finish(result, failure);
    }

    private void finish(T result, Throwable failure) {
        if (failure != null && !(failure instanceof GreenletExit) && strand.hasPendingExit()) {
            // A kill interrupted a JDK blocking call, which threw its own exception: the kill is what happened.
            failure = new GreenletExit("killed during a blocking JDK call (" + failure + ")");
        }
        value = result;
        exception = failure;
        completionNumber = loop.greenletFinished(this);
        LoopEvents.greenletExited(loop, this, failure);
        done = true;
        // Pairs with links(): we write `done` and then read `links`; a waiter writes `links` and then reads `done`.
        Links linked = links;
        if (linked != null) {
            linked.notifyFromAnyThread();
        }
        if (failure != null && !(failure instanceof GreenletExit)) {
            loop.reportError(this, failure);
        }
    }

    private Links links() {
        Links linked = links;
        if (linked == null) {
            Links made = new Links(this, loop, false);
            linked = (Links) LINKS.compareAndExchange(this, (Links) null, made);
            if (linked == null) {
                linked = made;
            }
        }
        return linked;
    }

    Strand strand() {
        return strand;
    }

    boolean hasStarted() {
        return started;
    }

    /** The order in which it finished among its loop's greenlets, or -1 while it runs. */
    long completionNumber() {
        return completionNumber;
    }

    /** The body's result once it finished successfully, else {@code null}. Never waits. */
    public T value() {
        return done && exception == null ? value : null;
    }

    /** The exception it failed with (or the {@link GreenletExit} that killed it), else {@code null}. Never waits. */
    public Throwable exception() {
        return done ? exception : null;
    }

    /** Whether it has finished, in any way. Never waits. */
    @Override
    public boolean ready() {
        return done;
    }

    /** Whether it finished without an exception; being killed with {@link GreenletExit} counts as successful, as in gevent. */
    public boolean successful() {
        return done && (exception == null || exception instanceof GreenletExit);
    }

    /** Its name, {@code Greenlet-N} in spawn order on its loop; also its virtual thread's name. */
    public String name() {
        return name;
    }

    /** Waits until it has finished, parking a greenlet or driving the loop on the owner thread. */
    public void join() {
        join(null);
    }

    /** Waits until it has finished or {@code timeout} passed ({@code null}: no timeout); {@code true} when finished. */
    public boolean join(Duration timeout) {
        if (done) {
            return true;
        }
        Strand current = Strand.current();
        if (current == null) {
            return links().awaitOnMonitor(timeout);
        }
        if (current == strand) {
            throw new IllegalStateException(name + " cannot join itself: it would wait forever");
        }
        return links().awaitReady(timeout, "join() of " + name);
    }

    /** Waits for it to finish and returns its value; a failure is thrown as an {@link ExecutionException}, a {@link #cancel} as a {@link CancellationException}. */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        join();
        return outcome();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!join(Duration.of(timeout, unit.toChronoUnit()))) {
            throw new TimeoutException(name + " did not finish within " + timeout + " " + unit);
        }
        return outcome();
    }

    private T outcome() throws ExecutionException {
        if (cancelled) {
            throw new CancellationException(name + " was cancelled");
        }
        if (exception != null && !(exception instanceof GreenletExit)) {
            throw new ExecutionException(name + " failed: " + exception, exception);
        }
        return value();
    }

    /** Kills it with {@link GreenletExit} and waits until it is dead. */
    public void kill() {
        kill(new GreenletExit(), true, null);
    }

    /**
     * Raises {@code error} in it at its current or next blocking point (a greenlet that has not started
     * never runs); with {@code block}, waits up to {@code timeout} ({@code null}: no limit) until it is dead.
     * Loop thread only.
     */
    public void kill(Throwable error, boolean block, Duration timeout) {
        Objects.requireNonNull(error, "error");
        loop.requireLoopThread("kill");
        if (done) {
            return;
        }
        if (Strand.current() == strand) {
            throw Strand.<RuntimeException>sneaky(error);
        }
        strand.throwInto(error);
        if (block) {
            join(timeout);
        }
    }

    /** Kills it without waiting, as {@link Future#cancel}; {@code true} when it had not finished. Loop thread only. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (done) {
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
        return done;
    }

    /**
     * Runs {@code callback} with this greenlet on the loop after it finishes; linking a finished greenlet
     * schedules the callback at once. Loop thread only.
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
        String state = !started && !done ? "pending" : !done ? "running" : successful() ? "done" : "failed";
        return "Greenlet[" + name + ", " + state + "]";
    }
}
