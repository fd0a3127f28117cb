package io.greenloop.net;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A server's counters on one loop, summed over its loops into {@link ServerStats}. The loop's thread is the only
 * writer: it reads its own plain field and stores the next value with an opaque store (a plain move on x86 and ARM),
 * so counting costs a connection no atomic instruction; other threads read with opaque loads, each value one the
 * loop really wrote (the loop's own statistics work the same way).
 *
 * <p>Thread rule: the counting methods on the loop's thread; {@link #addTo} and {@link #handlers()} on any thread.
 */
final class ServerCounters {

    private static final VarHandle ACCEPTED;
    private static final VarHandle OPEN;
    private static final VarHandle HANDLERS;
    private static final VarHandle REFUSED;
    private static final VarHandle IDLE_CLOSED;
    private static final VarHandle HANDSHAKES_FAILED;
    private static final VarHandle ACCEPT_ERRORS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ACCEPTED = lookup.findVarHandle(ServerCounters.class, "accepted", long.class);
            OPEN = lookup.findVarHandle(ServerCounters.class, "open", int.class);
            HANDLERS = lookup.findVarHandle(ServerCounters.class, "handlers", int.class);
            REFUSED = lookup.findVarHandle(ServerCounters.class, "refused", long.class);
            IDLE_CLOSED = lookup.findVarHandle(ServerCounters.class, "idleClosed", long.class);
            HANDSHAKES_FAILED = lookup.findVarHandle(ServerCounters.class, "handshakesFailed", long.class);
            ACCEPT_ERRORS = lookup.findVarHandle(ServerCounters.class, "acceptErrors", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long accepted;
    private int open;
    private int handlers;
    private long refused;
    private long idleClosed;
    private long handshakesFailed;
    private long acceptErrors;

    void accepted() {
        ACCEPTED.setOpaque(this, accepted + 1);
    }

    /** A connection is taken on by this loop (served or refused) until {@link #closed()}. */
    void opened() {
        OPEN.setOpaque(this, open + 1);
    }

    void closed() {
        OPEN.setOpaque(this, open - 1);
    }

    void handlerStarted() {
        HANDLERS.setOpaque(this, handlers + 1);
    }

    void handlerEnded() {
        HANDLERS.setOpaque(this, handlers - 1);
    }

    void refused() {
        REFUSED.setOpaque(this, refused + 1);
    }

    void idleClosed() {
        IDLE_CLOSED.setOpaque(this, idleClosed + 1);
    }

    void handshakeFailed() {
        HANDSHAKES_FAILED.setOpaque(this, handshakesFailed + 1);
    }

    void acceptFailed() {
        ACCEPT_ERRORS.setOpaque(this, acceptErrors + 1);
    }

    /** Handlers running on this loop now. Any thread. */
    int handlers() {
        return (int) HANDLERS.getOpaque(this);
    }

    /** {@code sum} plus this loop's numbers. Any thread. */
    ServerStats addTo(ServerStats sum) {
        return sum.plus(new ServerStats((long) ACCEPTED.getOpaque(this), (int) OPEN.getOpaque(this),
                (long) REFUSED.getOpaque(this), (long) IDLE_CLOSED.getOpaque(this),
                (long) HANDSHAKES_FAILED.getOpaque(this), (long) ACCEPT_ERRORS.getOpaque(this)));
    }
}
