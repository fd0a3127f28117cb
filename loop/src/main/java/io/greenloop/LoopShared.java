package io.greenloop;

import io.greenloop.spi.Transport;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of a loop that other threads touch (Tokio's {@code Shared}, beside the owner-only
 * {@code Core} that is {@link Loop} itself): the inbox of cross-thread callbacks, the wake-up handshake
 * with the poll, the stop and closed flags, and the count of outstanding cross-thread work. Everything
 * else in a loop is confined to its thread.
 *
 * <p>The wake-up handshake: the loop sets {@code polling} and then looks at the inbox before a blocking
 * poll; {@link #submit} adds to the inbox and then looks at {@code polling}. One of the two sees the
 * other, so a callback is never left in the inbox of a loop that sleeps; {@code wakeupPending} makes
 * one thread per poll write the wake-up (an eventfd or a pipe), not one per callback.
 *
 * <p>Thread rule: {@link #submit}, {@link #requestStop}, {@link #isClosed} and the outside-work count
 * on any thread; the poll bracket, {@link #moveInboxTo} and {@link #markClosed} on the loop thread.
 */
final class LoopShared {

    private final Transport transport;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicInteger outsideWork = new AtomicInteger();
    private volatile boolean polling;
    private volatile boolean stopRequested;
    private volatile boolean closed;

    LoopShared(Transport transport) {
        this.transport = transport;
    }

    /** Queues {@code callback} for the loop and wakes it if it sleeps in its poll. Any thread. */
    void submit(Runnable callback) {
        inbox.add(callback);
        if (polling && !wakeupPending.getAndSet(true)) {
            transport.wakeup();
        }
    }

    boolean inboxIsEmpty() {
        return inbox.isEmpty();
    }

    /**
     * Moves up to {@code max} callbacks from the inbox to the end of {@code ready}, in order, and returns
     * how many it moved. Bounded because other threads may add as fast as the loop moves. Loop thread only.
     */
    int moveInboxTo(ArrayDeque<Runnable> ready, int max) {
        int moved = 0;
        for (Runnable task; moved < max && (task = inbox.poll()) != null; moved++) {
            ready.add(task);
        }
        return moved;
    }

    /**
     * Opens the poll bracket before a poll of {@code timeoutNanos} and returns the timeout to use: 0 when
     * a callback is already in the inbox, since its {@link #submit} may have missed {@code polling}.
     */
    long beforePoll(long timeoutNanos) {
        if (timeoutNanos != 0) {
            polling = true;
            if (!inbox.isEmpty()) {
                return 0;
            }
        }
        return timeoutNanos;
    }

    /**
     * Closes the poll bracket after every poll, blocking or not: a non-blocking poll may have drained the
     * wake-up (eventfd, pipe) that a late {@link #submit} raised the flag for, and a flag left set would
     * stop the next submit from waking the next blocking poll (that hung CI once).
     */
    void afterPoll() {
        polling = false;
        wakeupPending.set(false);
    }

    /** Asks the loop to return from {@code run()}; wakes its poll when called from another thread. */
    void requestStop(boolean fromLoopThread) {
        stopRequested = true;
        if (!fromLoopThread) {
            transport.wakeup();
        }
    }

    boolean stopRequested() {
        return stopRequested;
    }

    void clearStop() {
        stopRequested = false;
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    void outsideWorkStarted() {
        outsideWork.incrementAndGet();
    }

    void outsideWorkEnded() {
        outsideWork.decrementAndGet();
    }

    boolean outsideWorkPending() {
        return outsideWork.get() > 0;
    }
}
