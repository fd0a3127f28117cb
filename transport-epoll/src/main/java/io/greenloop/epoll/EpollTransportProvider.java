package io.greenloop.epoll;

import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.NettyTransportProvider;
import io.netty.channel.epoll.Epoll;

import java.io.IOException;

/**
 * Provides {@link EpollTransport}, the default on Linux when this module is on the class path: its
 * priority beats NIO's, and {@code Loop.open()} falls back to NIO when Netty's epoll library cannot load.
 * Thread-safe.
 */
public final class EpollTransportProvider extends NettyTransportProvider {

    /** Above NIO (0): on Linux epoll is the better poller. */
    private static final int PRIORITY = 20;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public EpollTransportProvider() {
        super("epoll", PRIORITY);
    }

    @Override
    public Throwable unavailabilityCause() {
        return Availability.CAUSE;
    }

    @Override
    public Transport create() throws IOException {
        return new EpollTransport();
    }

    /** Probed once per JVM, on first use: loading the native library is not free. */
    private static final class Availability {
        static final Throwable CAUSE = probe("epoll", os -> os.startsWith("linux"), "Linux",
                () -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause());
    }
}
