package io.greenloop.net;

/**
 * A server's numbers ({@link StreamServer#stats()}, {@link GroupServer#stats()}): plain or TLS, on one loop or
 * across a group's. Counters since the server started, and one gauge. Read from any thread without waiting for a
 * loop; each field was true at some moment of the call, not all at the same moment.
 *
 * @param accepted         connections accepted from the listener(s)
 * @param open             connections open now: accepted and not yet closed, served or being refused
 * @param refused          connections accepted and closed without a handler: the server was stopping and at its
 *                         handler limit, or the handler could not start (a peer gone before its address was read,
 *                         a loop closed under the hand-over)
 * @param idleClosed       connections closed by the idle timeout ({@link StreamServer.Options#idleTimeout()})
 * @param handshakesFailed TLS handshakes that failed (a plain-text client, an untrusted peer, the handshake timeout)
 * @param acceptErrors     accepts that failed (out of descriptors, say); each one paused the accepting
 */
public record ServerStats(long accepted, int open, long refused, long idleClosed, long handshakesFailed,
                          long acceptErrors) {

    /** Nothing counted yet. */
    static final ServerStats ZERO = new ServerStats(0, 0, 0, 0, 0, 0);

    /** These numbers and {@code other}'s summed, as a server's over its loops. */
    ServerStats plus(ServerStats other) {
        return new ServerStats(accepted + other.accepted, open + other.open, refused + other.refused,
                idleClosed + other.idleClosed, handshakesFailed + other.handshakesFailed, acceptErrors + other.acceptErrors);
    }
}
