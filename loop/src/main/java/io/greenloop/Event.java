package io.greenloop;

import java.time.Duration;

/**
 * A flag greenlets wait for, gevent's {@code Event}: {@link #set()} wakes every waiter (FIFO, from one
 * notifier on the loop), {@link #clear()} lowers it again. Every greenlet waiting at {@link #set()} is
 * woken, even when {@link #clear()} follows at once.
 *
 * <p>Thread rule: {@link #set()}, {@link #clear()} and {@link #isSet()} are thread-safe, like
 * {@link AsyncResult#set}: the flag changes at once, and the wake-ups are handed to the loop the event
 * belongs to (the loop of its first waiter). {@link #await()} is loop-bound: inside that loop's greenlets
 * or on its owner thread (a thread with no loop opens its default one, so waits on an event of another
 * loop are refused). A loop-owning thread waiting for an event that only another thread will set meets
 * {@link LoopExit} when nothing else is pending, as in gevent.
 */
public final class Event implements Waitable {

    private final Links links = new Links(this, null, false);
    private volatile boolean flag;

    /** An event that is not set. */
    public Event() {
    }

    /** Sets the flag and wakes every greenlet waiting for it; thread-safe (off the loop, the wake-ups are handed to it). */
    public void set() {
        flag = true;
        links.releaseAll();
    }

    /** Lowers the flag; later waiters park until the next {@link #set()}, earlier ones are still woken. Thread-safe. */
    public void clear() {
        flag = false;
    }

    /**
     * Whether the flag is set.
     *
     * @return whether the flag is set
     */
    public boolean isSet() {
        return flag;
    }

    @Override
    public boolean ready() {
        return flag;
    }

    /** Parks until the flag is set; on a thread with no loop, opens its default one. */
    public void await() {
        await(null);
    }

    /**
     * Parks until the flag is set or {@code timeout} passes ({@code null}: no limit); {@code true} when set.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when set, {@code false} when the time ran out
     */
    public boolean await(Duration timeout) {
        return links.awaitReady(timeout, "Event.await()");
    }

    @Override
    public Cancellable onReady(Runnable callback) {
        return links.add(callback);
    }

    @Override
    public String toString() {
        return "Event[" + (flag ? "set" : "unset") + "]";
    }
}
