package io.greenloop.epoll;

import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.NettyTransportProvider;
import io.netty.channel.epoll.Epoll;

import java.io.IOException;

/**
 * Provides {@link EpollTransport}, the default on Linux when this module is on the class or module path: its
 * priority beats NIO's, and {@code Loop.open()} falls back to NIO when Netty's epoll library cannot load, the
 * Netty found is not the one {@code EpollBridge} was built for, or (on the module path) Netty's epoll package is
 * not opened to this module. Thread-safe.
 */
public final class EpollTransportProvider extends NettyTransportProvider {

    /** Above NIO (0): on Linux epoll is the better poller. */
    private static final int PRIORITY = 20;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public EpollTransportProvider() {
        super(new Binding("epoll", "Linux", os -> os.startsWith("linux"), "netty-transport-classes-epoll",
                EpollBridge.BUILT_FOR_NETTY, () -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause()), PRIORITY);
    }

    @Override
    public Transport create() throws IOException {
        return new EpollTransport();
    }
}
