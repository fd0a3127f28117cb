package io.greenloop;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A FIFO queue for greenlets, gevent's {@code queue.Queue} and {@code queue.Channel}: unbounded
 * ({@code new Queue<>()}), bounded ({@code new Queue<>(n)}: {@link #put} parks while it holds {@code n}
 * items), or a rendezvous channel ({@code new Queue<>(0)}: it holds nothing, and {@link #put} parks until
 * a taker takes its item). {@link #take} parks while it is empty.
 *
 * <p>Fair to waiters, first parked, first served, for takers and putters alike: an item put while
 * takers wait is handed straight to the longest-waiting one, and a slot freed while putters wait is
 * filled at once from the longest-waiting putter. A greenlet killed while parked leaves the queue
 * consistent: a taker that was handed an item just before the kill gives it back (to the next taker,
 * else to the head of the queue, where it may briefly go over capacity), and a putter whose item was
 * accepted returns normally and meets its kill at its next blocking point. No item is lost or
 * delivered twice.
 *
 * <p>{@code null} items are refused with a {@link NullPointerException}: {@link #poll()} uses
 * {@code null} for "nothing".
 *
 * <p>Thread rule: it belongs to the loop that first uses it; use it inside that loop's greenlets or on
 * its owner thread (where a blocking call drives the loop). Other threads get an
 * {@link IllegalStateException}; they can hand items over with {@code loop.execute(() -> queue.offer(x))}.
 */
public final class Queue<E> {

    private static final int UNBOUNDED = Integer.MAX_VALUE;

    private final LoopBinding binding = new LoopBinding();
    private final ArrayDeque<E> items = new ArrayDeque<>();
    private final WaitQueue<E> takers = new WaitQueue<>();
    private final WaitQueue<Boolean> putters = new WaitQueue<>();
    private final int capacity;

    /** An unbounded queue: {@link #put} never parks. */
    public Queue() {
        this.capacity = UNBOUNDED;
    }

    /** A queue that holds at most {@code capacity} items; 0 makes it a rendezvous channel. */
    public Queue(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("a queue's capacity must be 0 (a rendezvous channel) or more, not "
                    + capacity + "; use new Queue<>() for an unbounded one");
        }
        this.capacity = capacity;
    }

    /** Adds {@code item}, parking while the queue is full (for a rendezvous queue: until a taker takes it). */
    public void put(E item) {
        offer(item, null);
    }

    /** Adds {@code item} if that needs no wait: a taker is waiting or there is room. Never parks; {@code true} when added. */
    public boolean offer(E item) {
        requireItem(item);
        binding.check(this, "Queue.offer");
        if (takers.wakeFirst(item) != null) {
            return true;
        }
        if (items.size() < capacity) {
            items.addLast(item);
            return true;
        }
        return false;
    }

    /**
     * Adds {@code item}, parking while the queue is full, up to {@code timeout} ({@code null}: no limit;
     * zero or less: do not park); {@code true} when added. Honours kill and {@link Timeout}.
     */
    public boolean offer(E item, Duration timeout) {
        if (offer(item)) {
            return true;
        }
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            return false;
        }
        return putters.park("Queue.put()", item, timeout, null) != null;
    }

    /** Removes and returns the head, parking while the queue is empty. Honours kill and {@link Timeout}. */
    public E take() {
        return poll(null);
    }

    /** Removes and returns the head (for a rendezvous queue: a parked putter's item), or {@code null} when there is none. Never parks. */
    public E poll() {
        binding.check(this, "Queue.poll");
        E item = items.pollFirst();
        if (item != null) {
            if (items.size() < capacity) {
                admitFirstPutter();
            }
            return item;
        }
        WaitQueue.Entry<Boolean> putter = putters.wakeFirst(Boolean.TRUE);
        return putter == null ? null : itemOf(putter);
    }

    /**
     * Removes and returns the head, parking while the queue is empty, up to {@code timeout} ({@code null}:
     * no limit; zero or less: do not park); {@code null} on timeout. Honours kill and {@link Timeout}.
     */
    public E poll(Duration timeout) {
        E item = poll();
        if (item != null || (timeout != null && (timeout.isZero() || timeout.isNegative()))) {
            return item;
        }
        WaitQueue.Entry<E> taken = takers.park("Queue.take()", null, timeout, this::giveBack);
        return taken == null ? null : taken.handed;
    }

    /** The head without removing it, or {@code null} when the queue holds no item (a rendezvous queue never does). Never parks. */
    public E peek() {
        return items.peekFirst();
    }

    /** How many items it holds (not counting those of parked putters). Never parks. */
    public int size() {
        return items.size();
    }

    /** Whether it holds no item. Never parks. */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** Its capacity: {@link Integer#MAX_VALUE} when unbounded, 0 for a rendezvous channel. */
    public int capacity() {
        return capacity;
    }

    /** Moves the longest-waiting putter's item into the slot just freed, and lets that putter go. */
    private void admitFirstPutter() {
        WaitQueue.Entry<Boolean> putter = putters.wakeFirst(Boolean.TRUE);
        if (putter != null) {
            items.addLast(itemOf(putter));
        }
    }

    /** Takes back an item handed to a taker that was killed before it could resume. */
    private void giveBack(E item) {
        if (takers.wakeFirst(item) == null) {
            items.addFirst(item);
        }
    }

    @SuppressWarnings("unchecked")
    private E itemOf(WaitQueue.Entry<Boolean> putter) {
        return (E) putter.payload;
    }

    private static void requireItem(Object item) {
        Objects.requireNonNull(item, "a Queue cannot hold null (poll() returns null for \"empty\"); wrap the value, e.g. in an Optional");
    }

    @Override
    public String toString() {
        return "Queue[" + items.size() + (capacity == UNBOUNDED ? "" : " of " + capacity) + " items, "
                + takers.size() + " takers and " + putters.size() + " putters waiting]";
    }
}
