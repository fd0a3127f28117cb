package io.greenloop.epoll;

import io.greenloop.spi.Transport;
import io.greenloop.spi.TransportProvider;
import io.netty.channel.epoll.Epoll;

import java.io.IOException;
import java.util.Locale;

/**
 * Provides {@link EpollTransport}, the default on Linux when this module is on the class path: its
 * priority beats NIO's, and {@code Loop.open()} falls back to NIO when Netty's epoll library cannot load.
 * Thread-safe.
 */
public final class EpollTransportProvider implements TransportProvider {

    /** Above NIO (0): on Linux epoll is the better poller. */
    private static final int PRIORITY = 20;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public EpollTransportProvider() {
    }

    @Override
    public String name() {
        return "epoll";
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
        return new EpollTransport();
    }

    /** Probed once per JVM, on first use: loading the native library is not free. */
    private static final class Availability {
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            String os = System.getProperty("os.name", "");
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
                return new UnsupportedOperationException("epoll exists only on Linux; this is " + os);
            }
            try {
                return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
            } catch (LinkageError e) {
                return e;  // Netty's classes are missing from the class path, or do not match this module
            }
        }
    }
}
