package io.greenloop;

import io.greenloop.spi.Transport;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of a loop that other threads touch (Tokio's {@code Shared}, beside the owner-only
 * {@code Core} that is {@link Loop} itself): the inbox of cross-thread callbacks (which also knows whether
 * the loop is closed), the wake-up handshake with the poll, the stop flag, and the count of outstanding
 * cross-thread work. Everything else in a loop is confined to its thread.
 *
 * <p>The wake-up handshake: the loop sets {@code polling} and then looks at the inbox before a blocking
 * poll; {@link #submit} adds to the inbox and then looks at {@code polling}. One of the two sees the
 * other, so a callback is never left in the inbox of a loop that sleeps; {@code wakeupPending} makes
 * one thread per poll write the wake-up (an eventfd or a pipe), not one per callback.
 *
 * <p>Thread rule: {@link #submit}, {@link #requestStop}, {@link #isClosed}, {@link #pendingCallbacks} and
 * the outside-work count on any thread; the poll bracket, {@link #moveInboxTo} and {@link #markClosed} on
 * the loop thread.
 */
final class LoopShared {

    private final Transport transport;
    private final MpscInbox inbox;
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicInteger outsideWork = new AtomicInteger();
    private volatile boolean polling;
    private volatile boolean stopRequested;

    /** The shared part of a loop polling {@code transport}, refusing users' callbacks beyond {@code maxPendingCallbacks}. */
    LoopShared(Transport transport, int maxPendingCallbacks) {
        this.transport = transport;
        this.inbox = new MpscInbox(maxPendingCallbacks);
    }

    /**
     * Queues {@code callback} for the loop and wakes it if it sleeps in its poll, unless the loop is closed or
     * (for a {@code user}'s callback only) the bound on pending ones is reached: it says which. Any thread.
     */
    MpscInbox.Admission submit(Runnable callback, boolean user) {
        MpscInbox.Admission admission = inbox.offer(callback, user);
        if (admission == MpscInbox.Admission.ACCEPTED && polling && !wakeupPending.getAndSet(true)) {
            transport.wakeup();
        }
        return admission;
    }

    /** How many callbacks other threads handed in that the loop has not taken yet. Any thread. */
    long pendingCallbacks() {
        return inbox.depth();
    }

    boolean inboxIsEmpty() {
        return inbox.isEmpty();
    }

    /**
     * Moves up to {@code max} callbacks from the inbox to the end of {@code ready}, in order, and returns
     * how many it moved. Bounded because other threads may add as fast as the loop moves. Loop thread only.
     */
    int moveInboxTo(ArrayDeque<Runnable> ready, int max) {
        return inbox.drainTo(ready, max);
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
     * stop the next submit from waking the next blocking poll.
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
        return inbox.isClosed();
    }

    /** Refuses every later callback; those accepted before stay in the inbox for the loop to run. Loop thread only. */
    void markClosed() {
        inbox.close();
    }

    /**
     * Closes the loop of an owner thread that has ended without closing it: refuses every later callback, closes the
     * transport with every socket still open on it, and returns how many sockets that was (-1: the transport does
     * not count). On the thread that found the owner ended, which is the loop's thread now: the owner's end
     * happens-before the finding ({@link Thread#isAlive()}), so everything it wrote is seen.
     */
    int closeAbandoned() {
        inbox.close();
        int sockets = transport.openHandles();
        transport.close();
        return sockets;
    }

    /**
     * Counts cross-thread work (a thread-pool task, a child process) as pending until the returned handle is
     * cancelled; thread-safe, both ways. A cancel from another thread wakes a loop waiting in its poll, so that it
     * re-checks whether anything is pending ({@code thread} tells them apart).
     */
    Cancellable keepAlive(LoopThread thread) {
        outsideWork.incrementAndGet();
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (!released.compareAndSet(false, true)) {
                return false;
            }
            outsideWork.decrementAndGet();
            if (!thread.isCurrent()) {
                submit(() -> { }, false);  // a closed loop refuses it: none waits then
            }
            return true;
        };
    }

    boolean outsideWorkPending() {
        return outsideWork.get() > 0;
    }
}
