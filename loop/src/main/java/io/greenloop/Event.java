package io.greenloop;

import java.time.Duration;

/**
 * A flag greenlets wait for, gevent's {@code Event}: {@link #set()} wakes every waiter (FIFO, from one
 * notifier on the loop), {@link #clear()} lowers it again. Loop thread only: use it inside one loop's
 * greenlets or its owner thread.
 */
public final class Event implements Waitable {

    private final Links links = new Links(this, null, false);
    private boolean flag;

    /** An event that is not set. */
    public Event() {
    }

    /** Sets the flag and wakes every greenlet waiting for it. */
    public void set() {
        flag = true;
        links.notifyLinks();
    }

    /** Lowers the flag; later waiters park until the next {@link #set()}. */
    public void clear() {
        flag = false;
    }

    /** Whether the flag is set. */
    public boolean isSet() {
        return flag;
    }

    @Override
    public boolean ready() {
        return flag;
    }

    /** Parks until the flag is set. */
    public void await() {
        await(null);
    }

    /** Parks until the flag is set or {@code timeout} passes ({@code null}: no limit); {@code true} when set. */
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
