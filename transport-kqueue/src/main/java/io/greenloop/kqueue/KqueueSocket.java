package io.greenloop.kqueue;

import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Socket;

/**
 * A non-blocking socket for the kqueue transport. Netty's {@code BsdSocket} is package-private, but its
 * public superclass {@link Socket} has every call greenloop needs; this subclass only reaches the
 * protected factories that make non-blocking TCP and UDP sockets of one family. The kqueue native
 * library must be loaded first ({@code KQueue.isAvailable()} does it).
 */
final class KqueueSocket extends Socket {

    private KqueueSocket(int fd) {
        super(fd);
    }

    /** A new non-blocking TCP socket. */
    static KqueueSocket stream(SocketProtocolFamily family) {
        return new KqueueSocket(newSocketStream0(family));
    }

    /** A new non-blocking UDP socket. */
    static KqueueSocket datagram(SocketProtocolFamily family) {
        return new KqueueSocket(newSocketDgram0(family));
    }

    /** Wraps an fd that {@code accept} returned (already non-blocking). */
    static KqueueSocket adopt(int fd) {
        return new KqueueSocket(fd);
    }
}
