package io.greenloop.kqueue;

import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.NettyTransportProvider;
import io.netty.channel.kqueue.GreenloopKqueueAccess;
import io.netty.channel.kqueue.KQueue;

import java.io.IOException;

/**
 * Provides {@link KqueueTransport}, the default on macOS and the BSDs when this module is on the class
 * path: its priority beats NIO's, and {@code Loop.open()} falls back to NIO when Netty's kqueue library
 * cannot load or the Netty on the class path is not the one {@link GreenloopKqueueAccess} was built for.
 * Thread-safe.
 */
public final class KqueueTransportProvider extends NettyTransportProvider {

    /** Above NIO (0): on macOS kqueue is the better poller. Same as epoll's; the two never both load. */
    private static final int PRIORITY = 20;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public KqueueTransportProvider() {
        super(new Binding("kqueue", "macOS and the BSDs", os -> os.contains("mac") || os.contains("bsd"),
                "netty-transport-classes-kqueue", GreenloopKqueueAccess.BUILT_FOR_NETTY,
                () -> KQueue.isAvailable() ? null : KQueue.unavailabilityCause()), PRIORITY);
    }

    @Override
    public Transport create() throws IOException {
        return new KqueueTransport();
    }
}
