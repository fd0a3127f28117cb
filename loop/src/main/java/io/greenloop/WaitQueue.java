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
final class WaitQueue<V> {

    /** One parked strand; {@code payload} is what it offers (a putter's item), {@code handed} what it was given. */
    static final class Entry<V> {
        final Strand strand;
        final Waiter<V> waiter;
        final Object payload;
        V handed;
        Entry<V> prev;
        Entry<V> next;
        boolean queued;

        Entry(Waiter<V> waiter, Object payload) {
            this.strand = waiter.strand();
            this.waiter = waiter;
            this.payload = payload;
        }
    }

    private Entry<V> head;
    private Entry<V> tail;
    private int size;

    /** Whether no strand is parked here. */
    boolean isEmpty() {
        return size == 0;
    }

    /** How many strands are parked here. */
    int size() {
        return size;
    }

    /**
     * Parks the calling strand ({@code caller}) at the tail until a value is handed to it or {@code timeout} passes
     * ({@code null}: no limit). Returns its entry (with {@link Entry#handed}) when handed one, {@code null}
     * on timeout. A kill or {@link Timeout} is raised from here; when it arrives after the hand-off, the
     * value goes to {@code giveBack} first (pass {@code null} when a hand-off cannot be undone, as for a
     * putter whose item was accepted: the kill then waits for the next blocking point).
     */
    Entry<V> park(Strand caller, String what, Object payload, Duration timeout, Consumer<? super V> giveBack) {
        Entry<V> entry = new Entry<>(new Waiter<>(caller, what), payload);
        link(entry);
        boolean woken;
        try {
            woken = entry.waiter.await(timeout);
        } finally {
            unlink(entry);
        }
        if (!woken) {
            return null;
        }
        if (giveBack != null && entry.strand.hasPending()) {
            giveBack.accept(entry.handed);
            entry.strand.raisePending();
        }
        return entry;
    }

    /**
     * Hands {@code value} to the longest-waiting strand that can still take it, skipping (and unlinking)
     * those that timed out or have a kill pending; returns its entry, or {@code null} when there is none.
     */
    Entry<V> wakeFirst(V value) {
        for (Entry<V> entry = head; entry != null; entry = head) {
            unlink(entry);
            if (entry.strand.hasPending()) {
                continue;  // it will raise its kill or timeout when it resumes
            }
            entry.handed = value;
            entry.waiter.wake(value);
            if (entry.waiter.isWoken()) {
                return entry;
            }
            entry.handed = null;  // it timed out and has not run yet: the value was not taken
        }
        return null;
    }

    private void link(Entry<V> entry) {
        entry.queued = true;
        entry.prev = tail;
        if (tail == null) {
            head = entry;
        } else {
            tail.next = entry;
        }
        tail = entry;
        size++;
    }

    private void unlink(Entry<V> entry) {
        if (!entry.queued) {
            return;
        }
        entry.queued = false;
        if (entry.prev == null) {
            head = entry.next;
        } else {
            entry.prev.next = entry.next;
        }
        if (entry.next == null) {
            tail = entry.prev;
        } else {
            entry.next.prev = entry.prev;
        }
        entry.prev = null;
        entry.next = null;
        size--;
    }
}
