package io.greenloop.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One loop's share of a server's numbers. Only the loop's thread writes them (plain increments published
 * with opaque stores, no locked instruction on the request path); any thread reads a snapshot.
 */
final class ServerCounters {

    private static final VarHandle ACCEPTED;
    private static final VarHandle OPEN;
    private static final VarHandle REQUESTS;
    private static final VarHandle RESPONSES_4XX;
    private static final VarHandle RESPONSES_5XX;
    private static final VarHandle REJECTED;
    private static final VarHandle WRITES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ACCEPTED = lookup.findVarHandle(ServerCounters.class, "accepted", long.class);
            OPEN = lookup.findVarHandle(ServerCounters.class, "open", int.class);
            REQUESTS = lookup.findVarHandle(ServerCounters.class, "requests", long.class);
            RESPONSES_4XX = lookup.findVarHandle(ServerCounters.class, "responses4xx", long.class);
            RESPONSES_5XX = lookup.findVarHandle(ServerCounters.class, "responses5xx", long.class);
            REJECTED = lookup.findVarHandle(ServerCounters.class, "rejected", long.class);
            WRITES = lookup.findVarHandle(ServerCounters.class, "writes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long accepted;
    private int open;
    private long requests;
    private long responses4xx;
    private long responses5xx;
    private long rejected;
    private long writes;

    void connectionOpened() {
        ACCEPTED.setOpaque(this, accepted + 1);
        OPEN.setOpaque(this, open + 1);
    }

    void connectionClosed() {
        OPEN.setOpaque(this, open - 1);
    }

    void request() {
        REQUESTS.setOpaque(this, requests + 1);
    }

    void responded(int status) {
        if (status >= 500) {
            RESPONSES_5XX.setOpaque(this, responses5xx + 1);
        } else if (status >= 400) {
            RESPONSES_4XX.setOpaque(this, responses4xx + 1);
        }
    }

    void rejected() {
        REJECTED.setOpaque(this, rejected + 1);
    }

    /** One write call on a socket (a batch of responses, a large body, a file). */
    void wrote() {
        WRITES.setOpaque(this, writes + 1);
    }

    /** Socket writes so far; any thread. */
    long writes() {
        return (long) WRITES.getOpaque(this);
    }

    /** The numbers now, added to {@code sum}; any thread. */
    HttpServer.Stats addTo(HttpServer.Stats sum) {
        return new HttpServer.Stats(sum.connectionsAccepted() + (long) ACCEPTED.getOpaque(this),
                sum.connectionsOpen() + (int) OPEN.getOpaque(this),
                sum.requests() + (long) REQUESTS.getOpaque(this),
                sum.responses4xx() + (long) RESPONSES_4XX.getOpaque(this),
                sum.responses5xx() + (long) RESPONSES_5XX.getOpaque(this),
                sum.rejected() + (long) REJECTED.getOpaque(this));
    }
}
