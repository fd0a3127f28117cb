package io.greenloop;

/**
 * A loop's thread identity: the thread that owns it, which strand of the loop the calling thread is (the owner,
 * a greenlet, or a plain virtual thread started inside one), and the checks that refuse every other thread or
 * a wait that would re-enter the loop. A loop's own code and its objects ({@link Waiter}, {@link Greenlet},
 * {@link Links}, {@link LoopBinding}) ask here; {@code io.greenloop.lowlevel.LowLevel} asks through
 * {@link Loop}.
 *
 * <p>Thread rule: {@link #isCurrent}, {@link #currentStrand} and the checks on any thread (they answer for the
 * calling thread, or throw); the rest on the loop's thread.
 */
final class LoopThread {

    private final Loop loop;
    /** The thread that opened the loop. */
    final Thread owner;
    /** The owner thread as a strand: its waits drive the loop (gevent's main greenlet). */
    final Strand ownerStrand;
    /** The owner thread's CPU pinning, undone when the loop closes ({@link #letOwnerGo()}). */
    private final CpuPinning.Pin pin;
    private final Liveness liveness;
    private final LoopShared shared;
    /**
     * The strand that ran or passed a check last: a one-entry cache for {@link #currentStrand()}, which saves the
     * {@code ThreadLocal} lookup of {@link Strand#current()}, since a greenlet usually makes several loop-bound
     * calls in a row (a read, then a write). Another thread may read a stale one: its thread is never the caller.
     */
    private Strand lastStrand;
    /** The owner thread runs the loop's phases (a timer or a callback): a wait there would re-enter the loop. */
    private boolean inPhases;
    /**
     * Opened by a loop-bound call on a thread that had none (gevent's {@code get_hub()}), not by {@code Loop.open()}:
     * nobody is told to close it, so it is closed for the owner once that thread has ended ({@link #closeAbandoned}).
     */
    private volatile boolean openedByDefault;

    LoopThread(Loop loop, Thread owner, CpuPinning.Pin pin, Liveness liveness, LoopShared shared) {
        this.loop = loop;
        this.owner = owner;
        this.pin = pin;
        this.liveness = liveness;
        this.shared = shared;
        this.ownerStrand = new Strand(loop, null, owner);
    }

    /** Unbinds the loop from its owner thread and gives the thread its CPUs back, as the last step of closing. Owner thread only. */
    void letOwnerGo() {
        ownerStrand.unbindFromCurrentThread();
        pin.release();
    }

    /** Whether the calling thread is the owner or one of the loop's greenlets (or virtual threads). */
    boolean isCurrent() {
        return Thread.currentThread() == owner || currentStrand() != null;
    }

    /** The calling thread's strand when it is the owner or runs on this loop, else {@code null}. */
    Strand currentStrand() {
        Thread thread = Thread.currentThread();
        Strand last = lastStrand;
        if (last != null && last.thread == thread) {
            return last;
        }
        if (thread == owner) {
            return ownerStrand;
        }
        Strand strand = Strand.current();
        if (strand == null || strand.loop != loop) {
            return null;
        }
        lastStrand = strand;
        return strand;
    }

    /**
     * The strand of {@code thread}, a greenlet of this loop that started and has not finished, found by a walk
     * over the live greenlets: only for a greenlet whose uncaught-exception handler, which normally carries its
     * strand ({@link Strand#current()}), was replaced. Called on that thread, so on this loop.
     */
    Strand greenletStrandOf(Thread thread) {
        Greenlet<?> greenlet = liveness.liveGreenletOn(thread);
        return greenlet == null ? null : greenlet.strand();
    }

    /** Notes that {@code strand} runs now (a greenlet resumed from a wait, or its body began). Loop thread only. */
    void running(Strand strand) {
        lastStrand = strand;
    }

    /** Forgets a greenlet's thread, as the last thing its body does. Loop thread only. */
    void ended(Thread thread) {
        if (lastStrand != null && lastStrand.thread == thread) {
            lastStrand = null;
        }
    }

    /**
     * The calling strand; throws {@link IllegalStateException} naming {@code operation}, the loop and its owner
     * when the caller is neither the owner thread nor one of the loop's greenlets.
     */
    Strand require(String operation) {
        Strand strand = currentStrand();
        if (strand == null) {
            throw new IllegalStateException(operation + " was called on " + Thread.currentThread() + ", but " + loop
                    + " belongs to " + owner + ": call it there or inside one of its greenlets, or hand it over with loop.execute(...)");
        }
        return strand;
    }

    /** {@link #isCurrent()} of {@code loop}: {@code io.greenloop.lowlevel.LowLevel.runOn}. */
    static boolean isCurrent(Loop loop) {
        return loop.thread.isCurrent();
    }

    /** {@link #require} on {@code loop}: {@code io.greenloop.lowlevel.LowLevel.requireLoopThread}. */
    static void require(Loop loop, String operation) {
        loop.thread.require(operation);
    }

    /** Throws unless the caller is the owner thread, outside greenlets and outside the loop's own callbacks, and the loop is open. */
    void checkCanDrive(String operation) {
        if (Thread.currentThread() != owner) {
            require(operation);
            throw new IllegalStateException(operation + " inside a greenlet cannot drive the loop; it is already running it");
        }
        if (inPhases) {
            throw new IllegalStateException(operation + " would block inside a loop callback, re-entering the loop; spawn a greenlet for it instead");
        }
        if (shared.isClosed()) {
            throw new IllegalStateException(loop + " is closed");
        }
    }

    /** Marks the loop as the owner's default one. Owner thread, as it opens the loop. */
    void openedByDefault() {
        openedByDefault = true;
    }

    /** Whether the loop is the owner's default one. Any thread, once the owner has ended or on the owner thread. */
    boolean isDefault() {
        return openedByDefault;
    }

    /**
     * Whether the owner thread has ended without closing its loop. Any thread: the owner's writes are seen once
     * {@link Thread#isAlive()} says it has ended.
     */
    boolean abandoned() {
        return !owner.isAlive() && !shared.isClosed();
    }

    /**
     * Closes a default loop whose owner thread has ended without closing it: its sockets and poller, its bean, its
     * place among the open loops; its greenlets are dropped, since with their carrier gone none can run again, not
     * even a {@code finally} block. Returns what was closed, for the one log line; {@code null} when the loop is an
     * explicit one ({@code Loop.open()}, the owner's to close) or is closed already. On the blocked-loop monitor's
     * reaper thread, after {@link #abandoned()}.
     */
    String closeAbandoned() {
        if (!openedByDefault || !abandoned()) {
            return null;
        }
        int greenlets = liveness.liveGreenlets();
        int sockets = shared.closeAbandoned();
        loop.stats.close();
        RunInfo.loopClosed(loop);
        return (sockets < 0 ? "its transport and every socket on it" : sockets + (sockets == 1 ? " socket" : " sockets"))
                + " and its JMX bean, and dropped " + greenlets + (greenlets == 1 ? " greenlet" : " greenlets")
                + " unfinished (their finally blocks cannot run)";
    }

    /** The owner thread enters ({@code true}) or leaves the loop's phases, where {@link #checkCanDrive} refuses waits. */
    void inPhases(boolean entering) {
        inPhases = entering;
    }
}
