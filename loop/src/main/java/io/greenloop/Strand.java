package io.greenloop;

/**
 * What a blocking call parks: a greenlet, or a loop's owner thread driving its loop outside greenlets
 * (gevent's main greenlet). It carries the error to raise at the current or next blocking point, put
 * there by {@link Greenlet#kill()} or a {@link Timeout}, and the {@link Waiter} it is parked in.
 * Loop thread only.
 */
final class Strand {

    private static final ThreadLocal<Strand> CURRENT = new ThreadLocal<>();

    final Loop loop;
    /** The greenlet, or {@code null} for the owner thread. */
    final Greenlet<?> greenlet;
    Thread thread;
    private Throwable pending;
    Waiter<?> parkedIn;

    Strand(Loop loop, Greenlet<?> greenlet, Thread thread) {
        this.loop = loop;
        this.greenlet = greenlet;
        this.thread = thread;
    }

    /** The calling thread's strand, or {@code null} on a thread that owns no loop and is no greenlet. */
    static Strand current() {
        return CURRENT.get();
    }

    /** The calling thread's strand; throws naming {@code operation} when it has none. */
    static Strand require(String operation) {
        Strand strand = CURRENT.get();
        if (strand == null) {
            throw new IllegalStateException(operation + " must be called inside a greenlet or on a thread that owns a loop;"
                    + " " + Thread.currentThread() + " is neither (call Loop.open() on it first, or use Loop.execute to hand work to a loop)");
        }
        return strand;
    }

    void bindToCurrentThread() {
        CURRENT.set(this);
    }

    void unbindFromCurrentThread() {
        CURRENT.remove();
    }

    boolean isOwner() {
        return greenlet == null;
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
        } else if (greenlet != null && thread != null && thread != Thread.currentThread() && greenlet.hasStarted()) {
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
            if (greenlet != null) {
                Thread.interrupted(); // the interrupt only served to get here
            }
            if (error instanceof GreenletExit || error instanceof Timeout.Expired) {
                error.fillInStackTrace(); // show where this strand was, not the timer or the killer
            }
            throw Strand.<RuntimeException>sneaky(error);
        }
    }

    /** Lets a kill with any {@link Throwable} surface as itself, as gevent's {@code kill(exception)} does. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> E sneaky(Throwable error) throws E {
        throw (E) error;
    }
}
