package io.greenloop.net;

import io.greenloop.internal.SafeLog;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What {@link StreamServer#tls} runs in each connection's greenlet: the handshake under its own limit, then
 * the user's handler. A handshake that fails is the client's problem, not the server's (a port scanner, a
 * plain-text client, an expired certificate on the other side), so it is logged at DEBUG, once, and only
 * that connection closes.
 */
final class TlsServing {


    private TlsServing() {
    }

    static StreamServer.Handler handler(Supplier<SSLEngine> engines, StreamServer.TlsHandler handler, Duration handshakeTimeout) {
        return (socket, peer) -> {
            try (TlsSocket tls = TlsSocket.of(socket, engines.get())) {
                try {
                    tls.handshake(handshakeTimeout);
                } catch (IOException e) {
                    SafeLog.log(System.Logger.Level.DEBUG, "TLS handshake with {0} failed, closing that connection: {1}", peer, e.toString());
                    return;
                }
                handler.handle(tls, peer);
            }
        };
    }
}
