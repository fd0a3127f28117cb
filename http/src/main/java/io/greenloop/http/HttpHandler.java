package io.greenloop.http;

/**
 * Serves one request, in blocking style: read the {@link HttpRequest}, answer through the
 * {@link HttpResponse}. It runs in its connection's greenlet, so any wait (a body read, a write, a
 * {@code Green.sleep}, a JDK socket call) parks that greenlet while the loop serves the other connections.
 *
 * <p>What it may do: return without answering (the response is then its status, 200 unless set, with an
 * empty body); throw before answering (the client gets a 500 without the stack, the error is logged with the
 * server, the peer and the request line, and the connection stays usable); throw after answering began (the
 * connection closes, so the client sees a cut response). The request and response are valid only until it
 * returns. Thread rule: the connection's greenlet; another greenlet of the same loop may use them while the
 * handler waits for it.
 */
@FunctionalInterface
public interface HttpHandler {

    /**
     * Serves {@code request} through {@code response}; see the interface comment for what happens when it throws.
     *
     * @param request  the request, valid until this returns
     * @param response its response, valid until this returns
     * @throws Exception anything; the interface comment says what the server does with it
     */
    void handle(HttpRequest request, HttpResponse response) throws Exception;
}
