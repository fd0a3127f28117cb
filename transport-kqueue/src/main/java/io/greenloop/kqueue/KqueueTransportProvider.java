package io.greenloop.kqueue;

import io.greenloop.spi.Transport;
import io.greenloop.spi.TransportProvider;
import io.netty.channel.kqueue.KQueue;

import java.io.IOException;
import java.util.Locale;

/**
 * Provides {@link KqueueTransport}, the default on macOS and the BSDs when this module is on the class
 * path: its priority beats NIO's, and {@code Loop.open()} falls back to NIO when Netty's kqueue library
 * cannot load. Thread-safe.
 */
public final class KqueueTransportProvider implements TransportProvider {

    /** Above NIO (0): on macOS kqueue is the better poller. Same as epoll's; the two never both load. */
    private static final int PRIORITY = 20;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public KqueueTransportProvider() {
    }

    @Override
    public String name() {
        return "kqueue";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public boolean isAvailable() {
        return Availability.CAUSE == null;
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
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (!os.contains("mac") && !os.contains("bsd")) {
                return new UnsupportedOperationException("kqueue exists only on macOS and the BSDs; this is "
                        + System.getProperty("os.name"));
            }
            try {
                return KQueue.isAvailable() ? null : KQueue.unavailabilityCause();
            } catch (LinkageError e) {
                return e;  // Netty's classes are missing from the class path, or do not match this module
            }
        }
    }
}
