package io.greenloop.net;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What {@link StreamServer#tls} runs in each connection's greenlet: the handshake under its own limit, then
 * the user's handler. A handshake that fails is the client's problem, not the server's (a port scanner, a
 * plain-text client, an expired certificate on the other side): it ends the connection's greenlet with a
 * {@link HandshakeFailure}, which the server logs at DEBUG, in one line, and only that connection closes.
 */
final class TlsServing {


    private TlsServing() {
    }

    /** A TLS handshake with a peer that failed: the peer's doing, a connection-level end like a reset. */
    static final class HandshakeFailure extends IOException {

        HandshakeFailure(IOException cause) {
            super("the TLS handshake failed: " + cause, cause);
        }

        /** Its message alone: it stands for the handshake's failure, which the message names. */
        @Override
        public String toString() {
            return getMessage();
        }
    }

    /** Server-side engines from {@code context}, one per connection. */
    static Supplier<SSLEngine> serverEngines(SSLContext context) {
        Objects.requireNonNull(context, "context");
        return () -> {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            return engine;
        };
    }

    static StreamServer.Handler handler(Supplier<SSLEngine> engines, StreamServer.TlsHandler handler, Duration handshakeTimeout) {
        return (socket, peer) -> {
            try (TlsSocket tls = TlsSocket.of(socket, engines.get())) {
                try {
                    tls.handshake(handshakeTimeout);
                } catch (IOException e) {
                    throw new HandshakeFailure(e);
                }
                handler.handle(tls, peer);
            }
        };
    }
}
