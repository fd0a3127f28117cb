package io.greenloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * A loop's inbox: the callbacks other threads hand it, many producers and the loop as the one consumer (an
 * intrusive MPSC queue as Vyukov's and JCTools' {@code MpscLinkedQueue}: a producer swaps itself in as the
 * tail, then links the old tail to it), with one state word that counts what was accepted and not yet taken,
 * and says whether the inbox is closed.
 *
 * <p>Two kinds of callback share the queue, so that those from one thread keep their order: users'
 * ({@link Loop#execute}), which an optional bound refuses when that many are pending, and wake-ups (the JDK's
 * continuations of parked greenlets, the library's own hand-offs), which nothing but closing refuses, since a
 * refused wake-up would leave a greenlet parked for ever.
 *
 * <p>No third outcome: {@link #offer} counts the callback in the state word first and looks at the closed bit
 * in the same atomic step, so once {@link #close()} has set that bit every offer is refused, and every one
 * counted before it is, or soon will be, linked; the loop drains until the count is zero ({@link #drainTo}).
 *
 * <p>Thread rule: {@link #offer}, {@link #depth()}, {@link #isEmpty()} and {@link #isClosed()} on any thread;
 * {@link #drainTo} and {@link #close()} on the loop's thread only.
 */
final class MpscInbox {

    /** What {@link #offer} did with a callback. */
    enum Admission {
        /** Queued: it will run. */
        ACCEPTED,
        /** Refused: the loop is closed. */
        CLOSED,
        /** Refused: a user's callback, and the bound on pending users' callbacks was reached. */
        FULL
    }

    /*
     * The state word: bit 63 closed; bits 32-62 pending wake-ups; bits 0-31 pending users' callbacks. A field
     * never overflows into the next: users' count stays at most the bound (an int) plus the threads racing it,
     * and 2^31 wake-ups pending would take a node each, some 50 GB of heap.
     */
    private static final long USER = 1L;
    private static final long WAKEUP = 1L << 32;
    private static final long USER_MASK = WAKEUP - 1;
    private static final long CLOSED = Long.MIN_VALUE;

    private static final VarHandle STATE;
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(MpscInbox.class, "state", long.class);
            TAIL = lookup.findVarHandle(MpscInbox.class, "tail", Node.class);
            NEXT = lookup.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One queued callback; the consumer's {@link #head} is the node taken last (or the first, empty one). */
    private static final class Node {
        private Runnable task;
        private final boolean user;
        private Node next;

        Node(Runnable task, boolean user) {
            this.task = task;
            this.user = user;
        }
    }

    private final long maxUserCallbacks;
    @SuppressWarnings("unused") // through STATE
    private volatile long state;
    @SuppressWarnings("unused") // through TAIL
    private volatile Node tail;
    /** The consumer's end; the loop thread's alone. */
    private Node head;

    /** An inbox that refuses a user's callback while {@code maxUserCallbacks} of them are pending. */
    MpscInbox(int maxUserCallbacks) {
        this.maxUserCallbacks = maxUserCallbacks;
        Node empty = new Node(null, false);
        this.head = empty;
        this.tail = empty;
    }

    /** Queues {@code task} unless the inbox is closed, or it is a user's and the bound is reached. Any thread. */
    Admission offer(Runnable task, boolean user) {
        long unit = user ? USER : WAKEUP;
        long before = (long) STATE.getAndAdd(this, unit);
        if (before < 0 || (user && (before & USER_MASK) >= maxUserCallbacks)) {
            STATE.getAndAdd(this, -unit);
            return before < 0 ? Admission.CLOSED : Admission.FULL;
        }
        Node node = new Node(task, user);
        Node previous = (Node) TAIL.getAndSet(this, node);
        NEXT.setRelease(previous, node);
        return Admission.ACCEPTED;
    }

    /**
     * Moves up to {@code max} callbacks to the end of {@code ready}, in order, and returns how many it moved.
     * It may move fewer than are counted: a producer that has counted its callback may not have linked it yet.
     * Loop thread only.
     */
    int drainTo(ArrayDeque<Runnable> ready, int max) {
        Node last = head;
        int moved = 0;
        int users = 0;
        for (Node next; moved < max && (next = (Node) NEXT.getAcquire(last)) != null; moved++) {
            ready.add(next.task);
            next.task = null;  // next is the consumer's end now: hold no callback there
            if (next.user) {
                users++;
            }
            last.next = null;  // no old node keeps newer ones reachable (a tenured one would keep them from young GCs)
            last = next;
        }
        if (moved > 0) {
            head = last;
            STATE.getAndAdd(this, -(users * USER + (moved - users) * WAKEUP));
        }
        return moved;
    }

    /** Whether no callback is accepted and not yet taken (one may be counted and not linked yet). Any thread. */
    boolean isEmpty() {
        return ((long) STATE.getVolatile(this) & ~CLOSED) == 0;
    }

    /** How many callbacks are accepted and not yet taken by the loop: users' and wake-ups. Any thread. */
    long depth() {
        long current = (long) STATE.getVolatile(this);
        return (current & USER_MASK) + ((current & ~CLOSED) >>> 32);
    }

    /** Refuses every later {@link #offer}; what was accepted before stays to be drained. Loop thread only. */
    void close() {
        STATE.getAndBitwiseOr(this, CLOSED);
    }

    /** Whether {@link #close()} was called. Any thread. */
    boolean isClosed() {
        return (long) STATE.getVolatile(this) < 0;
    }
}
