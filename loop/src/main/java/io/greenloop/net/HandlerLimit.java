package io.greenloop.net;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server's limit on handlers running at once ({@link StreamServer.Options#maxConcurrentHandlers()}), for the
 * whole server however many loops serve it: an acceptor takes a slot before it accepts (so that beyond the limit
 * new connections wait in the kernel's backlog), the handler's end gives it back, on whichever loop it ran, and an
 * acceptor waiting for a slot is woken on its own loop. No limit costs nothing: no count is kept.
 *
 * <p>Thread rule: any thread.
 */
final class HandlerLimit {

    private final int max;
    private final AtomicInteger taken = new AtomicInteger();
    /** The acceptors that may wait for a slot; few (one per loop at most), read on every release. */
    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();

    HandlerLimit(int max) {
        this.max = max;
    }

    /** Whether there is a limit at all. */
    boolean limited() {
        return max != StreamServer.Options.UNLIMITED;
    }

    /** Takes a slot if one is free. */
    boolean tryTake() {
        if (!limited()) {
            return true;
        }
        while (true) {
            int now = taken.get();
            if (now >= max) {
                return false;
            }
            if (taken.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /**
     * Gives a slot back and wakes the acceptors that wait for one. An acceptor marks itself waiting and then tries
     * again before it parks, and this frees the slot before it looks at the marks: one of the two always sees the
     * other, so no acceptor waits while a slot is free.
     */
    void release() {
        if (!limited()) {
            return;
        }
        taken.decrementAndGet();
        for (Acceptor acceptor : acceptors) {
            acceptor.slotFreed();
        }
    }

    /** An acceptor to wake when a slot frees. */
    void add(Acceptor acceptor) {
        acceptors.add(acceptor);
    }
}
