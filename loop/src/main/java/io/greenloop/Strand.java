package io.greenloop;

import io.greenloop.internal.GreenletThreads;

/**
 * What a blocking call parks: a greenlet, a loop's owner thread driving its loop outside greenlets
 * (gevent's main greenlet), or a plain virtual thread started inside a greenlet (it inherits the
 * greenlet's scheduler, so it runs on that loop too and parks like a greenlet). It carries the error to
 * raise at the current or next blocking point, put there by {@link Greenlet#kill()} or a {@link Timeout},
 * and the {@link Waiter} it is parked in. Loop thread only.
 *
 * <p>{@link #resolve()} is the one rule for "which loop" that every loop-bound entry point follows
 * (gevent's {@code get_hub()}): the loop of the calling greenlet or virtual thread, the loop the calling
 * thread owns, else a default loop opened for the calling thread now. Only the calls that can simply
 * block a foreign thread ({@code Greenlet.join/get}, {@code AsyncResult.get}, {@code ThreadPool.apply})
 * look at {@link #current()} instead, and never open a loop.
 */
final class Strand implements Runnable, Thread.UncaughtExceptionHandler {

    private static final ThreadLocal<Strand> CURRENT = new ThreadLocal<>();

    /** What kind of strand it is, which decides how it parks. */
    enum Kind {
        /** The loop's owner thread: a wait drives the loop. */
        OWNER,
        /** A greenlet: a wait unmounts its virtual thread. */
        GREENLET,
        /** A plain virtual thread scheduled by the loop: parks like a greenlet, but the loop does not count it as live. */
        GUEST
    }

    final Loop loop;
    final Kind kind;
    /** The greenlet, or {@code null} for the owner thread. */
    final Greenlet<?> greenlet;
    Thread thread;
    private Throwable pending;
    Waiter<?> parkedIn;

    Strand(Loop loop, Greenlet<?> greenlet, Thread thread) {
        this(loop, greenlet, thread, greenlet == null ? Kind.OWNER : Kind.GREENLET);
    }

    private Strand(Loop loop, Greenlet<?> greenlet, Thread thread, Kind kind) {
        this.loop = loop;
        this.greenlet = greenlet;
        this.thread = thread;
        this.kind = kind;
    }

    /**
     * The calling thread's strand, or {@code null} on a thread that owns no loop and runs on none. Never
     * opens a loop: for the calls that just block a foreign thread.
     */
    static Strand current() {
        Thread thread = Thread.currentThread();
        // A greenlet's thread carries its strand as its uncaught-exception handler: a field every thread has, so
        // finding it costs no ThreadLocal map (about 150 bytes per thread) and no table of the loop's.
        if (thread.getUncaughtExceptionHandler() instanceof Strand greenlet && greenlet.thread == thread) {
            return greenlet;
        }
        Strand strand = CURRENT.get();
        return strand != null ? strand : strandOfLoopThread(thread);
    }

    /**
     * The calling thread's strand for a loop-bound call, opening the thread's default loop when it has
     * none (gevent's {@code get_hub()}): the one rule for which loop, see the class comment.
     */
    static Strand resolve() {
        Strand strand = current();
        if (strand == null) {
            Loop.open().thread.openedByDefault();
            strand = CURRENT.get();
        }
        return strand;
    }

    /**
     * The strand of a virtual thread scheduled by a loop that is neither a greenlet nor known yet: a greenlet
     * whose uncaught-exception handler was replaced (found among the loop's live greenlets), or a plain virtual
     * thread started inside a greenlet (a guest strand, made now); the answer is kept in {@link #CURRENT}.
     */
    private static Strand strandOfLoopThread(Thread thread) {
        if (!(GreenletThreads.schedulerOf(thread) instanceof GreenletScheduler scheduler)) {
            return null;
        }
        Loop loop = scheduler.loop;
        Strand strand = loop.thread.greenletStrandOf(thread);
        if (strand == null) {
            strand = new Strand(loop, null, thread, Kind.GUEST);
        }
        CURRENT.set(strand);
        return strand;
    }

    /** Throws {@link IllegalStateException} when the calling thread has a loop already, or is a greenlet: one loop a thread. */
    static void refuseSecondLoop() {
        Strand existing = current();
        if (existing != null) {
            throw new IllegalStateException(Thread.currentThread() + " already has " + existing.loop
                    + (existing.isOwner() ? "; close it before opening another" : "; a greenlet cannot open a loop of its own"));
        }
    }

    /**
     * Makes it the calling thread's strand. A greenlet's thread finds its strand through its uncaught-exception
     * handler instead ({@link #current()}), so that it needs no {@code ThreadLocal} map of its own.
     */
    void bindToCurrentThread() {
        if (kind != Kind.GREENLET) {
            CURRENT.set(this);
        }
        if (kind == Kind.OWNER) {
            RunInfo.loopOpened(loop, thread);
        }
    }

    /** What the JDK calls if a greenlet's thread ends with an exception, which its body's catch-all never lets happen. */
    @Override
    public void uncaughtException(Thread ended, Throwable error) {
        LoopErrors.LOG.log(System.Logger.Level.ERROR, ended + " ended with an exception greenloop did not catch", error);
    }

    void unbindFromCurrentThread() {
        CURRENT.remove();
        if (kind == Kind.OWNER) {
            RunInfo.loopClosed(loop);
        }
    }

    /** A greenlet's strand is its virtual thread's body: it runs the greenlet. */
    @Override
    public void run() {
        greenlet.runBody();
    }

    /** Whether it is the loop's owner thread, whose waits drive the loop. */
    boolean isOwner() {
        return kind == Kind.OWNER;
    }

    /** What it is parked in, for {@link Green#formatRunInfo()}: read from any thread, so a racy snapshot. */
    Waiter<?> parkedIn() {
        return parkedIn;
    }

    /**
     * Arranges for {@code error} to be raised in this strand at its current blocking point, or its next
     * one. A kill outranks a pending timeout. A greenlet parked inside a JDK blocking call
     * ({@code Thread.sleep}, a socket) is interrupted so that the call returns.
     */
    void throwInto(Throwable error) {
        if (pending == null || (error instanceof GreenletExit && !(pending instanceof GreenletExit))) {
            pending = error;
        }
        if (parkedIn != null) {
            parkedIn.resume();
        } else if (kind != Kind.OWNER && thread != null && thread != Thread.currentThread() && (greenlet == null || greenlet.hasStarted())) {
            thread.interrupt();
        }
    }

    boolean hasPending() {
        return pending != null;
    }

    boolean hasPendingExit() {
        return pending instanceof GreenletExit;
    }

    boolean isPending(Throwable error) {
        return pending == error;
    }

    /** Drops {@code error} if it is still pending (a {@link Timeout} closed before it could be raised). */
    void clearPending(Throwable error) {
        if (pending == error) {
            pending = null;
        }
    }

    /** Raises the pending error, if any: this is what "at the next blocking point" means. */
    void raisePending() {
        Throwable error = pending;
        if (error != null) {
            pending = null;
            if (kind != Kind.OWNER) {
                Thread.interrupted(); // the interrupt only served to get here
            }
            if (error instanceof GreenletExit || error instanceof Timeout.Expired) {
                error.fillInStackTrace(); // show where this strand was, not the timer or the killer
            }
            throw Strand.<RuntimeException>sneaky(error);
        }
    }

    /**
     * How a failure met on the caller's behalf is rethrown: an unchecked one as it is, a checked one
     * wrapped in a {@link java.util.concurrent.CompletionException}. Throws, or returns what to throw.
     */
    static RuntimeException unchecked(Throwable failure) {
        if (failure instanceof RuntimeException || failure instanceof Error) {
            throw Strand.<RuntimeException>sneaky(failure);
        }
        return new java.util.concurrent.CompletionException(failure);
    }

    /** Lets a kill with any {@link Throwable} surface as itself, as gevent's {@code kill(exception)} does. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> E sneaky(Throwable error) throws E {
        throw (E) error;
    }
}
