package io.greenloop.http;

import java.io.IOException;

/**
 * A request the server refuses before (or instead of) serving it: malformed, over a limit, or asking for
 * what the server does not do. It carries the status to answer with; the connection closes after that
 * answer. A handler reading a request body meets it as the {@link IOException} its read throws.
 */
final class HttpRejection extends IOException {

    private final int status;

    HttpRejection(int status, String reason) {
        super(reason);
        this.status = status;
    }

    /** The status to answer with: 400, 413, 414, 417, 431, 501 or 505. */
    int status() {
        return status;
    }

    static HttpRejection badRequest(String reason) {
        return new HttpRejection(400, reason);
    }

    /** No stack: a rejection is an answer to a peer, and hostile peers can make many of them cheaply. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
