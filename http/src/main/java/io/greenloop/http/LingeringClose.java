package io.greenloop.http;

import io.greenloop.Timeout;
import io.greenloop.net.TcpSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * After an error answer on a connection that is about to close: send FIN, then read and drop what the client
 * still sends for a moment before closing (RFC 9112 section 9.6). Closing a socket with unread bytes makes the
 * kernel send a reset, and a client still sending its request (a long head, a body) would get that reset
 * instead of the answer that explains it.
 */
final class LingeringClose {

    /** The longest the server lingers: time enough for a client to read the answer and close its side. */
    static final Duration LINGER = Duration.ofSeconds(1);
    /** The most it reads and drops while lingering. */
    static final int MAX_BYTES = 256 * 1024;

    private LingeringClose() {
    }

    /** Half-closes a plain connection and drains it, at most {@link #LINGER} and {@link #MAX_BYTES}; TLS just closes. */
    static void drain(Wire wire, ByteBuffer scratch) {
        if (wire.isTls()) {
            return;
        }
        TcpSocket tcp = wire.tcp();
        try (Timeout limit = Timeout.start(LINGER)) {
            tcp.shutdownOutput();
            for (long total = 0; total < MAX_BYTES; ) {
                int n = tcp.read(scratch);
                scratch.clear();
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } catch (IOException | Timeout.Expired e) {
            // The client closed, reset, or kept sending: either way lingering is over.
        }
    }
}
