package io.greenloop.spi.unix;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The handles one poll of a native transport found ready, and those to report at the next poll (readiness
 * remembered from before, or handles an {@link Error} from a listener kept from their turn). The transport
 * adds to it while it reads its kernel events, then {@link #dispatch()} calls each handle once. Loop thread only.
 */
final class ReadyHandles {

    private final ArrayDeque<UnixHandle> pending = new ArrayDeque<>();
    private UnixHandle[] ready = new UnixHandle[64];
    private int count;

    /** Adds a handle that this poll found ready. */
    void add(UnixHandle handle) {
        if (count == ready.length) {
            ready = Arrays.copyOf(ready, count * 2);
        }
        ready[count++] = handle;
    }

    /** Queues a handle for the next poll, which then must not block. */
    void reportSoon(UnixHandle handle) {
        pending.add(handle);
    }

    /** Whether handles wait for the next poll, so that it must not block. */
    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Moves the handles queued for this poll among the ready ones; returns how many handles are ready. */
    int takePending() {
        for (UnixHandle handle; (handle = pending.poll()) != null; ) {
            add(handle);
        }
        return count;
    }

    /**
     * Calls each ready handle once; a {@link RuntimeException} from one listener does not keep the others
     * from their turn and is thrown afterwards.
     */
    void dispatch() {
        int total = count;
        int i = 0;
        RuntimeException failure = null;
        try {
            for (; i < total; i++) {
                UnixHandle handle = ready[i];
                ready[i] = null;
                try {
                    handle.fire();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            // An Error from a listener must not strand the handles after it: they are reported next time.
            for (int j = i + 1; j < total; j++) {
                pending.add(ready[j]);
                ready[j] = null;
            }
            count = 0;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Forgets every handle, as the transport closes. */
    void clear() {
        pending.clear();
        Arrays.fill(ready, null);
        count = 0;
    }
}
