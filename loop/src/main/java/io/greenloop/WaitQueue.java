package io.greenloop;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The strands parked on one synchronization object (a {@link Semaphore}'s acquirers, a {@link Queue}'s
 * takers or putters), first parked, first served. Fairness comes from hand-off: whoever frees a permit
 * or an item gives it straight to the longest-waiting strand ({@link #wakeFirst}), so a strand that
 * arrives later cannot take it first.
 *
 * <p>A parked strand that times out or is killed unlinks itself. One that was handed a value and then
 * killed (or hit by a {@link Timeout}) before it could resume gives the value back through the
 * {@code giveBack} hook and raises the kill: a wait that is interrupted never swallows a permit or an
 * item. Loop thread only.
 */
final class WaitQueue<V> extends WaitList {

    /**
     * Parks the calling strand ({@code caller}) at the tail until a value is handed to it or {@code timeout} passes
     * ({@code null}: no limit). Returns its waiter (holding the value, {@link Waiter#value()}) when handed one,
     * {@code null} on timeout. {@code offered} is what it offers (a putter's item, {@link Waiter#offered()}). A kill
     * or {@link Timeout} is raised from here; when it arrives after the hand-off, the value goes to {@code giveBack}
     * first (pass {@code null} when a hand-off cannot be undone, as for a putter whose item was accepted: the kill
     * then waits for the next blocking point).
     */
    Waiter<V> park(Strand caller, String what, Object offered, Duration timeout, Consumer<? super V> giveBack) {
        Waiter<V> waiter = new Waiter<>(caller, what);
        waiter.offer(offered);
        append(waiter);
        boolean woken;
        try {
            woken = waiter.await(timeout);
        } finally {
            remove(waiter);
        }
        if (!woken) {
            return null;
        }
        if (giveBack != null && caller.hasPending()) {
            giveBack.accept(waiter.value());
            caller.raisePending();
        }
        return waiter;
    }

    /**
     * Hands {@code value} to the longest-waiting strand that can still take it, skipping (and unlinking)
     * those that timed out or have a kill pending; returns its waiter, or {@code null} when there is none.
     */
    Waiter<V> wakeFirst(V value) {
        return wakeFirst(value, false);
    }

    /**
     * Lets the longest-waiting strand that can still go (a putter) go, woken with what it offered, which its
     * waiter keeps ({@link Waiter#offered()}); returns the waiter, or {@code null} when there is none.
     */
    Waiter<V> wakeFirstWithItsOffer() {
        return wakeFirst(null, true);
    }

    @SuppressWarnings("unchecked")
    private Waiter<V> wakeFirst(V value, boolean withItsOffer) {
        for (WaitNode node = head; node != null; node = head) {
            remove(node);
            Waiter<V> waiter = (Waiter<V>) node;
            if (waiter.strand().hasPending()) {
                continue;  // it will raise its kill or timeout when it resumes
            }
            waiter.wake(withItsOffer ? (V) waiter.offered() : value);
            if (waiter.isWoken()) {
                return waiter;
            }
            // it timed out and has not run yet: the value was not taken
        }
        return null;
    }
}
