package io.greenloop;

import io.greenloop.internal.TimerHeap;

import java.util.ArrayList;
import java.util.List;

/**
 * Why a loop is alive, one method per reason (libuv's "referenced active handles"): a greenlet that can
 * run, an armed timer, a parked wait that something outside the loop will end (I/O, another thread), or
 * outstanding cross-thread work ({@link Loop#keepAlive()}). {@link Loop#alive()} reads these and nothing
 * else does the counting. It also keeps the live greenlets, so that {@link Loop#close()} can kill them.
 *
 * <p>Thread rule: loop thread only, except what {@link LoopShared} counts for other threads.
 */
final class Liveness {

    private final TimerHeap timers;
    private final LoopShared shared;
    /**
     * Started and not finished, in start order ({@link Loop#close()} kills them in that order): a doubly
     * linked list through {@code Greenlet.livePrev/liveNext}, which only this class edits, so that a spawn
     * allocates no set entry and hashes nothing.
     */
    private Greenlet<?> firstLive;
    private Greenlet<?> lastLive;
    private int liveCount;
    private int parkedGreenlets;
    private int parkedOutsideWaits;
    private long completions;
    /** What to do once no greenlet is live ({@link Loop#close()} waits for that), or {@code null}. */
    private Runnable whenNoneLive;

    Liveness(TimerHeap timers, LoopShared shared) {
        this.timers = timers;
        this.shared = shared;
    }

    /** Whether a greenlet is runnable, or parked in a JDK call (not a {@link Waiter}) that another thread will end. */
    boolean greenletsCanRun() {
        return liveCount > parkedGreenlets;
    }

    /** Whether a timer is armed. */
    boolean timersArmed() {
        return timers.size() > 0;
    }

    /** Whether a wait that something outside the loop will end (I/O, a cross-thread result) is parked. */
    boolean outsideWaitsParked() {
        return parkedOutsideWaits > 0;
    }

    /** Whether cross-thread work (a thread-pool task, a child process) is outstanding; thread-safe. */
    boolean outsideWorkPending() {
        return shared.outsideWorkPending();
    }

    void greenletStarted(Greenlet<?> greenlet) {
        assert greenlet.livePrev == null && greenlet.liveNext == null && greenlet != firstLive;
        greenlet.livePrev = lastLive;
        if (lastLive == null) {
            firstLive = greenlet;
        } else {
            lastLive.liveNext = greenlet;
        }
        lastLive = greenlet;
        liveCount++;
    }

    /** Forgets {@code greenlet} and returns its completion number (0 for the first greenlet to finish). */
    long greenletFinished(Greenlet<?> greenlet) {
        Greenlet<?> prev = greenlet.livePrev;
        Greenlet<?> next = greenlet.liveNext;
        if (prev == null) {
            firstLive = next;
        } else {
            prev.liveNext = next;
        }
        if (next == null) {
            lastLive = prev;
        } else {
            next.livePrev = prev;
        }
        greenlet.livePrev = null;
        greenlet.liveNext = null;
        if (--liveCount == 0 && whenNoneLive != null) {
            whenNoneLive.run();
        }
        return completions++;
    }

    /** Runs {@code action} each time the last live greenlet finishes from now on. */
    void whenNoneLive(Runnable action) {
        whenNoneLive = action;
    }

    /** A {@link Waiter} parks ({@code delta} +1) or resumes (-1); {@code greenlet} is false for the owner thread. */
    void waitParked(boolean greenlet, boolean outsideWait, int delta) {
        if (greenlet) {
            parkedGreenlets += delta;
        }
        if (outsideWait) {
            parkedOutsideWaits += delta;
        }
    }

    int liveGreenlets() {
        return liveCount;
    }

    /**
     * The live greenlets as another thread sees them, for a diagnostic report: racy, so a greenlet that
     * started or finished just now may be missing or still there. It cannot loop: {@code liveNext} only
     * ever points to a greenlet started later, and a greenlet joins the list once.
     */
    List<Greenlet<?>> snapshotFromAnyThread() {
        List<Greenlet<?>> live = new ArrayList<>();
        for (Greenlet<?> g = firstLive; g != null; g = g.liveNext) {
            live.add(g);
        }
        return live;
    }

    /** The live greenlet whose virtual thread is {@code thread}, else {@code null}: a walk over them all. */
    Greenlet<?> liveGreenletOn(Thread thread) {
        for (Greenlet<?> g = firstLive; g != null; g = g.liveNext) {
            if (g.strand().thread == thread) {
                return g;
            }
        }
        return null;
    }

    /** How many waits that something outside the loop will end are parked: {@link Loop.Stats#ioWaiters()}. */
    int parkedOutsideWaits() {
        return parkedOutsideWaits;
    }

    /** A copy of the live greenlets, in start order, for killing them all. */
    List<Greenlet<?>> snapshotLiveGreenlets() {
        List<Greenlet<?>> live = new ArrayList<>(liveCount);
        for (Greenlet<?> g = firstLive; g != null; g = g.liveNext) {
            live.add(g);
        }
        return live;
    }
}
