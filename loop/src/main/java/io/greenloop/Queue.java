package io.greenloop;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;

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
 * <p>{@link #lifo()} and {@link #priority} make gevent's {@code LifoQueue} and {@code PriorityQueue}: the
 * same queue taking items out last in, first out, or smallest first. Every queue is joinable (Python's
 * {@code queue.Queue}, gevent's {@code JoinableQueue}): each item put counts as an unfinished task until
 * a consumer calls {@link #taskDone()} for it, and {@link #join()} waits until none is unfinished.
 *
 * <p>{@code null} items are refused with a {@link NullPointerException}: {@link #poll()} uses
 * {@code null} for "nothing".
 *
 * <p>Thread rule: it belongs to the loop that first uses it; use it inside that loop's greenlets or on
 * its owner thread (where a blocking call drives the loop). Other threads get an
 * {@link IllegalStateException}; they can hand items over with {@code loop.execute(() -> queue.offer(x))}.
 *
 * @param <E> the type of the items
 */
public final class Queue<E> {

    private static final int UNBOUNDED = Integer.MAX_VALUE;

    /** Where the items wait, in the order they come out: FIFO, LIFO or by priority. */
    private interface Items<E> {
        void add(E item);

        E poll();

        E peek();

        int size();

        /** Puts back an item taken by a taker that was killed before it resumed, so it comes out next. */
        void giveBack(E item);
    }

    /** First in, first out (and LIFO, which only adds at the other end). */
    private record DequeItems<E>(ArrayDeque<E> deque, boolean lifo) implements Items<E> {
        public void add(E item) {
            if (lifo) {
                deque.addFirst(item);
            } else {
                deque.addLast(item);
            }
        }

        public E poll() {
            return deque.pollFirst();
        }

        public E peek() {
            return deque.peekFirst();
        }

        public int size() {
            return deque.size();
        }

        public void giveBack(E item) {
            deque.addFirst(item);
        }
    }

    /** Smallest first by the queue's comparator. */
    private record PriorityItems<E>(PriorityQueue<E> heap) implements Items<E> {
        public void add(E item) {
            heap.add(item);
        }

        public E poll() {
            return heap.poll();
        }

        public E peek() {
            return heap.peek();
        }

        public int size() {
            return heap.size();
        }

        public void giveBack(E item) {
            heap.add(item);
        }
    }

    private final LoopBinding binding = new LoopBinding();
    private final Items<E> items;
    private final WaitQueue<E> takers = new WaitQueue<>();
    private final WaitQueue<Object> putters = new WaitQueue<>();
    /** Made once: a bound method reference per take would be an allocation per wait. */
    private final java.util.function.Consumer<E> giveBack = this::giveBack;
    private final int capacity;
    /** Items put and not yet marked done with {@link #taskDone()}; {@link #allDone} is set while it is 0. */
    private long unfinished;
    private final Event allDone = new Event();

    /** An unbounded queue: {@link #put} never parks. */
    public Queue() {
        this(UNBOUNDED, new DequeItems<>(new ArrayDeque<>(), false));
    }

    /**
     * A queue that holds at most {@code capacity} items; 0 makes it a rendezvous channel.
     *
     * @param capacity how many items it holds at most
     */
    public Queue(int capacity) {
        this(checkCapacity(capacity, 0), new DequeItems<>(new ArrayDeque<>(), false));
    }

    private Queue(int capacity, Items<E> items) {
        this.capacity = capacity;
        this.items = items;
        allDone.set();
    }

    /**
     * An unbounded last-in, first-out queue, gevent's {@code LifoQueue}.
     *
     * @param <E> the type of the items
     * @return an unbounded last-in, first-out queue, gevent's {@code LifoQueue}
     */
    public static <E> Queue<E> lifo() {
        return new Queue<>(UNBOUNDED, new DequeItems<>(new ArrayDeque<>(), true));
    }

    /**
     * A last-in, first-out queue of at most {@code capacity} (1 or more) items; {@link #put} parks while full.
     *
     * @param <E> the type of the items
     * @param capacity how many items it holds at most
     * @return a last-in, first-out queue of at most {@code capacity}
     */
    public static <E> Queue<E> lifo(int capacity) {
        return new Queue<>(checkCapacity(capacity, 1), new DequeItems<>(new ArrayDeque<>(), true));
    }

    /**
     * An unbounded queue that hands out the smallest item by {@code order} first, gevent's {@code PriorityQueue}.
     *
     * @param <E> the type of the items
     * @param order orders the items: the smallest comes out first
     * @return an unbounded queue that hands out the smallest item by {@code order} first, gevent's {@code
     *     PriorityQueue}
     */
    public static <E> Queue<E> priority(Comparator<? super E> order) {
        Objects.requireNonNull(order, "order");
        return new Queue<>(UNBOUNDED, new PriorityItems<>(new PriorityQueue<>(order)));
    }

    /**
     * A priority queue of at most {@code capacity} (1 or more) items; {@link #put} parks while full.
     *
     * @param <E> the type of the items
     * @param capacity how many items it holds at most
     * @param order orders the items: the smallest comes out first
     * @return a priority queue of at most {@code capacity}
     */
    public static <E> Queue<E> priority(int capacity, Comparator<? super E> order) {
        Objects.requireNonNull(order, "order");
        return new Queue<>(checkCapacity(capacity, 1), new PriorityItems<>(new PriorityQueue<>(order)));
    }

    private static int checkCapacity(int capacity, int least) {
        if (capacity < least) {
            throw new IllegalArgumentException("a queue's capacity must be " + least + (least == 0 ? " (a rendezvous channel)" : "")
                    + " or more, not " + capacity + "; use the factory without a capacity for an unbounded one");
        }
        return capacity;
    }

    /**
     * Adds {@code item}, parking while the queue is full (for a rendezvous queue: until a taker takes it).
     *
     * @param item the item
     */
    public void put(E item) {
        offer(item, null);
    }

    /**
     * Adds {@code item} if that needs no wait: a taker is waiting or there is room. Never parks; {@code true} when
     * added.
     *
     * @param item the item
     * @return {@code true} when added
     */
    public boolean offer(E item) {
        requireItem(item);
        binding.check(this, "Queue.offer");
        if (takers.wakeFirst(item) != null) {
            accepted();
            return true;
        }
        if (items.size() < capacity) {
            items.add(item);
            accepted();
            return true;
        }
        return false;
    }

    /**
     * Adds {@code item}, parking while the queue is full, up to {@code timeout} ({@code null}: no limit;
     * zero or less: do not park); {@code true} when added. Honours kill and {@link Timeout}.
     *
     * @param item the item
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when added
     */
    public boolean offer(E item, Duration timeout) {
        if (offer(item)) {
            return true;
        }
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            return false;
        }
        return putters.park(binding.caller(), "Queue.put()", item, timeout, null) != null;
    }

    /**
     * Removes and returns the head, parking while the queue is empty. Honours kill and {@link Timeout}.
     *
     * @return the head
     */
    public E take() {
        return poll(null);
    }

    /**
     * Removes and returns the head (for a rendezvous queue: a parked putter's item), or {@code null} when there is
     * none. Never parks.
     *
     * @return the head, or {@code null}
     */
    public E poll() {
        binding.check(this, "Queue.poll");
        E item = items.poll();
        if (item != null) {
            if (items.size() < capacity) {
                admitFirstPutter();
            }
            return item;
        }
        Waiter<Object> putter = putters.wakeFirstWithItsOffer();
        if (putter == null) {
            return null;
        }
        accepted();
        return itemOf(putter);
    }

    /**
     * Removes and returns the head, parking while the queue is empty, up to {@code timeout} ({@code null}:
     * no limit; zero or less: do not park); {@code null} on timeout. Honours kill and {@link Timeout}.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the head, or {@code null} on timeout
     */
    public E poll(Duration timeout) {
        E item = poll();
        if (item != null || (timeout != null && (timeout.isZero() || timeout.isNegative()))) {
            return item;
        }
        Waiter<E> taken = takers.park(binding.caller(), "Queue.take()", null, timeout, giveBack);
        return taken == null ? null : taken.value();
    }

    /**
     * The head without removing it, or {@code null} when the queue holds no item (a rendezvous queue never does).
     * Never parks.
     *
     * @return the head without removing it, or {@code null} when the queue holds no item
     */
    public E peek() {
        return items.peek();
    }

    /**
     * How many items it holds (not counting those of parked putters). Never parks.
     *
     * @return how many items it holds (not counting those of parked putters)
     */
    public int size() {
        return items.size();
    }

    /**
     * Whether it holds no item. Never parks.
     *
     * @return whether it holds no item
     */
    public boolean isEmpty() {
        return items.size() == 0;
    }

    /**
     * Its capacity: {@link Integer#MAX_VALUE} when unbounded, 0 for a rendezvous channel.
     *
     * @return its capacity: {@link Integer#MAX_VALUE} when unbounded, 0 for a rendezvous channel
     */
    public int capacity() {
        return capacity;
    }

    /**
     * Marks one item taken out earlier as processed, Python's {@code Queue.task_done()}; when every item
     * ever put is done, {@link #join()} returns. Never parks. More calls than items put throw
     * {@link IllegalStateException}.
     */
    public void taskDone() {
        binding.check(this, "Queue.taskDone");
        if (unfinished == 0) {
            throw new IllegalStateException("taskDone() was called more often than items were put into " + this
                    + "; call it once per item taken, after processing it");
        }
        if (--unfinished == 0) {
            allDone.set();
        }
    }

    /** Waits until {@link #taskDone()} was called once for every item ever put. Honours kill and {@link Timeout}. */
    public void join() {
        join(null);
    }

    /**
     * Like {@link #join()}, for at most {@code timeout} ({@code null}: no limit); {@code true} when every task is
     * done.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when every task is done
     */
    public boolean join(Duration timeout) {
        binding.check(this, "Queue.join");
        return allDone.await(timeout);
    }

    /**
     * How many items were put and not yet marked done by {@link #taskDone()}. Never parks.
     *
     * @return how many items were put and not yet marked done by {@link #taskDone()}
     */
    public long unfinishedTasks() {
        return unfinished;
    }

    private void accepted() {
        if (unfinished++ == 0) {
            allDone.clear();
        }
    }

    /** Moves the longest-waiting putter's item into the slot just freed, and lets that putter go. */
    private void admitFirstPutter() {
        Waiter<Object> putter = putters.wakeFirstWithItsOffer();
        if (putter != null) {
            items.add(itemOf(putter));
            accepted();
        }
    }

    /** Takes back an item handed to a taker that was killed before it could resume. */
    private void giveBack(E item) {
        if (takers.wakeFirst(item) == null) {
            items.giveBack(item);
        }
    }

    @SuppressWarnings("unchecked")
    private E itemOf(Waiter<Object> putter) {
        return (E) putter.offered();
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
