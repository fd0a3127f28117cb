package io.greenloop.kqueue;

import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.NettyTransportProvider;
import io.netty.channel.kqueue.KQueue;

import java.io.IOException;

/**
 * Provides {@link KqueueTransport}, the default on macOS and the BSDs when this module is on the class
 * path: its priority beats NIO's, and {@code Loop.open()} falls back to NIO when Netty's kqueue library
 * cannot load. Thread-safe.
 */
public final class KqueueTransportProvider extends NettyTransportProvider {

    /** Above NIO (0): on macOS kqueue is the better poller. Same as epoll's; the two never both load. */
    private static final int PRIORITY = 20;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public KqueueTransportProvider() {
        super("kqueue", PRIORITY);
    }

    @Override
    public Throwable unavailabilityCause() {
        return Availability.CAUSE;
    }

    @Override
    public Transport create() throws IOException {
        return new KqueueTransport();
    }

    /** Probed once per JVM, on first use: loading the native library is not free. */
    private static final class Availability {
        static final Throwable CAUSE = probe("kqueue", os -> os.contains("mac") || os.contains("bsd"), "macOS and the BSDs",
                () -> KQueue.isAvailable() ? null : KQueue.unavailabilityCause());
    }
}
