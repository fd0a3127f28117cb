package io.greenloop.kqueue;

import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.NettyTransportProvider;
import io.netty.channel.kqueue.KQueue;

import java.io.IOException;

/**
 * Provides {@link KqueueTransport}, the default on macOS and the BSDs when this module is on the class or module
 * path: its priority beats NIO's, and {@code Loop.open()} falls back to NIO when Netty's kqueue library cannot load,
 * the Netty found is not the one {@code KqueueBridge} was built for, or (on the module path) Netty's kqueue package
 * is not opened to this module. Thread-safe.
 */
public final class KqueueTransportProvider extends NettyTransportProvider {

    /** Above NIO (0): on macOS kqueue is the better poller. Same as epoll's; the two never both load. */
    private static final int PRIORITY = 20;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public KqueueTransportProvider() {
        super(new Binding("kqueue", "macOS and the BSDs", os -> os.contains("mac") || os.contains("bsd"),
                "netty-transport-classes-kqueue", KqueueBridge.BUILT_FOR_NETTY,
                () -> KQueue.isAvailable() ? null : KQueue.unavailabilityCause()), PRIORITY);
    }

    @Override
    public Transport create() throws IOException {
        return new KqueueTransport();
    }
}
