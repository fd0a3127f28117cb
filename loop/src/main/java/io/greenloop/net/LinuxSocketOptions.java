package io.greenloop.net;

import java.net.SocketOption;

/**
 * Socket options only Linux has, for {@link TcpSocket#setOption} and {@link TcpSocket#option} on the epoll
 * transport (the names and meanings of Netty's {@code EpollChannelOption}); any other transport refuses
 * them with {@link UnsupportedOperationException}. Constants only: thread-safe.
 */
public final class LinuxSocketOptions {

    /** {@code TCP_QUICKACK}: acknowledge at once instead of delaying ACKs; Linux clears it again on its own. */
    public static final SocketOption<Boolean> TCP_QUICKACK = new Option<>("TCP_QUICKACK", Boolean.class);
    /** {@code TCP_CORK}: hold partial frames until uncorked or 200 ms passed, to send full segments. */
    public static final SocketOption<Boolean> TCP_CORK = new Option<>("TCP_CORK", Boolean.class);
    /** {@code TCP_NOTSENT_LOWAT}: report writable only while fewer than this many unsent bytes are queued. */
    public static final SocketOption<Integer> TCP_NOTSENT_LOWAT = new Option<>("TCP_NOTSENT_LOWAT", Integer.class);

    /**
     * {@code SO_BUSY_POLL}, in microseconds: how long a read (or an epoll wait) that finds nothing may busy-poll the
     * network device's receive queue before it sleeps, 0 for off (the default is {@code net.core.busy_read}). It
     * acts only on sockets fed by a device queue with NAPI (a real NIC; loopback has none). Raising it above the
     * socket's value needs {@code CAP_NET_ADMIN} on Linux before 6.4. Servers set it on their listener with
     * {@link StreamServer.Options#withBusyPoll}: accepted sockets inherit it.
     */
    public static final SocketOption<Integer> SO_BUSY_POLL = new Option<>("SO_BUSY_POLL", Integer.class);

    private LinuxSocketOptions() {
    }

    /** A socket option greenloop defines, compared by identity like the JDK's. */
    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() {
            return name;
        }
    }
}
