package io.greenloop.net;

import javax.net.ssl.SSLException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * Which failures out of a server's handler end the connection rather than show a fault in the handler: what
 * every server sees from peers every day, so that a server logs it at DEBUG in one line instead of reporting an
 * error with a stack per connection. Those are a reset or a broken pipe ({@link SocketException}, the
 * {@code java.net} convention; the JDK's NIO channels say so in a plain {@link IOException}), a socket closed
 * under the handler, a stream that ended mid-message ({@link EOFException}), a read or write that timed out
 * ({@link SocketTimeoutException}), a TLS record or handshake the peer got wrong ({@link SSLException},
 * {@link TlsServing.HandshakeFailure}: a plain-text client on a TLS port, say). Anything else the handler threw
 * is the handler's own. Any thread.
 */
final class ConnectionFaults {

    private ConnectionFaults() {
    }

    /** Whether {@code failure}, thrown out of a connection's handler, is the connection's end rather than the handler's fault. */
    static boolean endedTheConnection(Throwable failure) {
        return failure instanceof SocketException
                || failure instanceof SocketTimeoutException
                || failure instanceof EOFException
                || failure instanceof SSLException
                || failure instanceof TlsServing.HandshakeFailure
                || failure.getClass() == IOException.class && saysResetOrBrokenPipe(failure.getMessage());
    }

    /** The JDK's NIO channels report ECONNRESET and EPIPE as a plain IOException with the C library's text. */
    private static boolean saysResetOrBrokenPipe(String message) {
        return message != null && (message.contains("Connection reset") || message.contains("Broken pipe"));
    }
}
