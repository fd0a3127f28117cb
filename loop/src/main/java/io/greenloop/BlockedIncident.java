package io.greenloop;

import java.util.concurrent.TimeUnit;

/**
 * One blocked-loop incident between its report and its JFR event: the report thread brings who held the loop and
 * the stack it had at detection ({@link #reported}), the monitor thread brings how long the loop was held in all once
 * it sees it released ({@link #released}); whichever comes second commits {@code io.greenloop.LoopBlocked}. Neither
 * of the two is the loop's owner thread, whose events JFR may drop (see {@link BlockingMonitor}). Thread-safe.
 */
final class BlockedIncident {

    private final Loop loop;
    private String who;
    private StackTraceElement[] stack;
    /** -1 until released. */
    private long heldNanos = -1;
    private boolean committed;

    BlockedIncident(Loop loop) {
        this.loop = loop;
    }

    /** Report thread: who held the loop, with the stack it had when detected (empty when it let go first). */
    void reported(String holder, StackTraceElement[] stackAtDetection) {
        synchronized (this) {
            who = holder;
            stack = stackAtDetection;
            if (heldNanos < 0) {
                return;
            }
        }
        commit();
    }

    /** Monitor thread: the loop was released (or its owner thread ended) after holding it {@code totalNanos}. */
    void released(long totalNanos) {
        synchronized (this) {
            heldNanos = totalNanos;
            if (who == null) {
                return;
            }
        }
        commit();
    }

    private void commit() {
        synchronized (this) {
            if (committed) {
                return;
            }
            committed = true;
        }
        LoopEvents.loopBlocked(loop, who, TimeUnit.NANOSECONDS.toMillis(heldNanos), stack);
    }
}
