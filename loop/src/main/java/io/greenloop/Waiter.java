package io.greenloop;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The one park primitive every wait in greenloop is built on (gevent's {@code hub.Waiter}): the strand
 * that creates it parks in {@link #get()} or {@link #await(Duration)} until the loop calls
 * {@link #wake(Object)} or {@link #wakeWithError(Throwable)}, the timeout passes, or a kill or
 * {@link Timeout} is raised into it. Parking means: inside a greenlet, the greenlet unmounts and the loop
 * runs others; on the loop's owner thread, that thread drives its loop until woken, and throws
 * {@link LoopExit} when nothing pending could wake it. Exactly one wake-up counts; later ones are ignored.
 *
 * <p>Thread rule: create and wait on the greenlet or loop-owning thread that will park; wake on that
 * loop's thread. A waiter is good for one wait.
 *
 * @param <T> the type of the value
 */
public final class Waiter<T> extends WaitNode {

    private final Strand strand;
    private final String what;
    private boolean keepsLoopAlive;
    private boolean woken;
    private boolean expired;
    /** Counted as parked in the loop's liveness: from the park until the first wake-up, kill or expiry. */
    private boolean countedParked;
    /**
     * The value it was woken with, or the error when {@link #failed}; while it waits in a {@link WaitQueue}, what
     * it offers (a putter's item, which it is then woken with). One field for all three: a parked waiter is kept
     * per parked greenlet, so every field of it counts a million times over.
     */
    private Object outcome;
    private boolean failed;

    /**
     * A waiter for the calling greenlet or loop-owning thread; {@code what} names the wait in a
     * {@link LoopExit} message ("Event.await()").
     *
     * @param what names the wait in messages
     */
    public Waiter(String what) {
        this(Strand.resolve(), what);
    }

    /** A waiter for {@code strand}, which must be the calling one: for callers that know it without a lookup. */
    Waiter(Strand strand, String what) {
        this.strand = strand;
        this.what = Objects.requireNonNull(what, "what");
    }

    /** The strand that waits. */
    Strand strand() {
        return strand;
    }

    /** What this wait is for ("Event.await()"), as {@link Green#formatRunInfo()} shows it. */
    String what() {
        return what;
    }

    /**
     * Marks this wait as one that something outside the loop will end (another thread, the OS): while it
     * is parked the loop counts as having pending work, so a loop-owning thread blocks in its poll instead
     * of throwing {@link LoopExit}. I/O waits and cross-thread results use it.
     *
     * @return this waiter
     */
    public Waiter<T> keepingLoopAlive() {
        this.keepsLoopAlive = true;
        return this;
    }

    /**
     * Ends the wait with {@code value}. Loop thread only; ignored after the first wake-up.
     *
     * @param value the value
     */
    public void wake(T value) {
        if (!woken && !expired) {
            this.outcome = value;
            this.woken = true;
            resume();
        }
    }

    /**
     * Ends the wait by raising {@code error} in the waiting strand. Loop thread only; ignored after the first
     * wake-up.
     *
     * @param error the exception
     */
    public void wakeWithError(Throwable error) {
        if (!woken && !expired) {
            this.outcome = Objects.requireNonNull(error, "error");
            this.failed = true;
            this.woken = true;
            resume();
        }
    }

    /** The value it was woken with ({@code null} before, or when woken with an error). */
    @SuppressWarnings("unchecked")
    T value() {
        return failed ? null : (T) outcome;
    }

    /** Sets what it offers while it waits in a {@link WaitQueue}; before it parks. */
    void offer(Object item) {
        outcome = item;
    }

    /** What it offers while it waits in a {@link WaitQueue} (and, once woken, what it was woken with). */
    Object offered() {
        return outcome;
    }

    /**
     * Whether it has been woken (and so {@link #get()} would not park).
     *
     * @return whether it has been woken (and so {@link #get()} would not park)
     */
    public boolean isWoken() {
        return woken;
    }

    /**
     * Parks until woken and returns the value, or raises the error it was woken with.
     *
     * @return the value it was woken with
     */
    public T get() {
        await(null);
        if (failed) {
            throw Strand.<RuntimeException>sneaky((Throwable) outcome);
        }
        return value();
    }

    /**
     * Parks until woken or until {@code timeout} passes ({@code null}: no timeout); {@code true} when woken.
     * A kill or an expired {@link Timeout} is raised from here instead, unless the wake-up came first.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when woken
     */
    public boolean await(Duration timeout) {
        strand.raisePending();
        if (woken) {
            return true;
        }
        Loop loop = strand.loop;
        Cancellable timer = timeout == null ? null : loop.timer(timeout, this::expire);
        strand.parkedIn = this;
        countParked(+1);
        try {
            if (strand.isOwner()) {
                driveLoopUntilWoken(loop);
            } else {
                parkGreenletUntilWoken();
            }
        } finally {
            if (countedParked) {
                countParked(-1);
            }
            strand.parkedIn = null;
            if (timer != null) {
                timer.cancel();
            }
        }
        if (woken) {
            return true;
        }
        strand.raisePending();
        return false;
    }

    private boolean waiting() {
        return !woken && !expired && !strand.hasPending();
    }

    private void parkGreenletUntilWoken() {
        boolean interrupted = false;
        while (waiting()) {
            LockSupport.park(this);
            // An interrupt makes park return at once; remember it for the user instead of spinning on it.
            interrupted |= Thread.interrupted();
        }
        strand.loop.thread.running(strand);
        if (interrupted && !strand.hasPending()) {
            Thread.currentThread().interrupt();
        }
    }

    private void driveLoopUntilWoken(Loop loop) {
        loop.thread.checkCanDrive(what);
        while (waiting()) {
            if (!loop.alive()) {
                throw new LoopExit(what + " would wait forever: it is not ready, and " + loop
                        + " has nothing pending (no runnable greenlet, timer, I/O wait or cross-thread work) that could make it so");
            }
            loop.runOnce(true);
        }
    }

    private void expire() {
        if (!woken) {
            expired = true;
            resume();
        }
    }

    private void countParked(int delta) {
        countedParked = delta > 0;
        strand.loop.liveness.waitParked(strand.greenlet != null, keepsLoopAlive, delta);  // a plain virtual thread is not counted live either
    }

    /** Gets the parked strand going again: a greenlet goes back on the ready queue, an owner thread stops polling. */
    void resume() {
        // Runnable for the loop from this moment, not from when it resumes: its continuation may reach the loop
        // late, from another thread (one taking its stack suspends it meanwhile and then resubmits it), and a
        // loop that counted it parked until then would find nothing runnable and end a wait with LoopExit.
        if (countedParked) {
            countParked(-1);
        }
        if (strand.isOwner()) {
            strand.loop.readyQueue.ownerWoken();
        } else {
            LockSupport.unpark(strand.thread);
        }
    }
}
