package io.greenloop.internal;

import java.util.Arrays;

/**
 * The loop's timers: an array-backed binary min-heap ordered by deadline, ties broken by a sequence
 * number so that timers due at the same time fire in the order they were armed. Each timer knows its
 * index, so cancel is O(log n). Loop thread only; deadlines are in the loop's nanosecond clock.
 */
public final class TimerHeap {

    /** An empty heap. */
    public TimerHeap() {
    }

    /** An armed timer; {@link #cancel()} removes it from its heap. */
    public static final class Timer implements io.greenloop.Cancellable {
        private final TimerHeap heap;
        private final long deadline;
        private final long sequence;
        private final Runnable task;
        private int index = -1;

        private Timer(TimerHeap heap, long deadline, long sequence, Runnable task) {
            this.heap = heap;
            this.deadline = deadline;
            this.sequence = sequence;
            this.task = task;
        }

        /**
         * The deadline in the loop's clock.
         *
         * @return the deadline in the loop's clock
         */
        public long deadline() {
            return deadline;
        }

        /**
         * The callback it runs when due.
         *
         * @return the callback it runs when due
         */
        public Runnable task() {
            return task;
        }

        /**
         * Whether it is still armed (neither fired nor cancelled).
         *
         * @return whether it is still armed (neither fired nor cancelled)
         */
        public boolean isArmed() {
            return index >= 0;
        }

        /** Disarms it; {@code true} when it was still armed. Loop thread only. */
        @Override
        public boolean cancel() {
            if (index < 0) {
                return false;
            }
            heap.removeAt(index);
            return true;
        }

        private boolean before(Timer other) {
            return deadline != other.deadline ? deadline - other.deadline < 0 : sequence < other.sequence;
        }
    }

    private Timer[] heap = new Timer[64];
    private int size;
    private long nextSequence;

    /**
     * Arms a timer for {@code deadline} that runs {@code task}.
     *
     * @param deadline when to run it, in {@code System.nanoTime()} terms
     * @param task what to run when it is due
     * @return the armed timer
     */
    public Timer add(long deadline, Runnable task) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        Timer timer = new Timer(this, deadline, nextSequence++, task);
        heap[size] = timer;
        timer.index = size;
        size++;
        siftUp(timer.index);
        return timer;
    }

    /**
     * The timer due first, or {@code null} when none is armed.
     *
     * @return the timer due first, or {@code null} when none is armed
     */
    public Timer peek() {
        return size == 0 ? null : heap[0];
    }

    /**
     * Removes and returns the first timer if its deadline is at or before {@code now}, else {@code null}.
     *
     * @param now the current time, in {@code System.nanoTime()} terms
     * @return the due timer, or {@code null}
     */
    public Timer pollDue(long now) {
        if (size == 0 || heap[0].deadline - now > 0) {
            return null;
        }
        Timer first = heap[0];
        removeAt(0);
        return first;
    }

    /**
     * How many timers are armed.
     *
     * @return how many timers are armed
     */
    public int size() {
        return size;
    }

    private void removeAt(int index) {
        Timer removed = heap[index];
        removed.index = -1;
        size--;
        if (index == size) {
            heap[size] = null;
            return;
        }
        Timer last = heap[size];
        heap[size] = null;
        heap[index] = last;
        last.index = index;
        siftDown(index);
        if (heap[index] == last) {
            siftUp(index);
        }
    }

    private void siftUp(int index) {
        Timer timer = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (!timer.before(heap[parent])) {
                break;
            }
            place(heap[parent], index);
            index = parent;
        }
        place(timer, index);
    }

    private void siftDown(int index) {
        Timer timer = heap[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(timer)) {
                break;
            }
            place(heap[child], index);
            index = child;
        }
        place(timer, index);
    }

    private void place(Timer timer, int index) {
        heap[index] = timer;
        timer.index = index;
    }
}
