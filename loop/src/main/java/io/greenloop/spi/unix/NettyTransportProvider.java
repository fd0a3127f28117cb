package io.greenloop.spi.unix;

import io.greenloop.spi.TransportProvider;

import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the providers of the transports on Netty's JNI bindings share: a name, a priority above NIO's,
 * and availability that is one cause probed once per JVM. A subclass keeps that cause in a static
 * holder (loading a native library is not free, and {@link java.util.ServiceLoader} may make several
 * providers), filled by {@link #probe}, and returns it from {@link #unavailabilityCause()}. Thread-safe.
 */
public abstract class NettyTransportProvider implements TransportProvider {

    private final String name;
    private final int priority;

    /** A provider of the transport called {@code name}, preferred by {@code Loop.open()} with {@code priority}. */
    protected NettyTransportProvider(String name, int priority) {
        this.name = name;
        this.priority = priority;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int priority() {
        return priority;
    }

    @Override
    public final boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    @Override
    public final boolean isForThisOperatingSystem() {
        return !(unavailabilityCause() instanceof NotForThisOperatingSystem);
    }

    /** The cause {@link #probe} gives on an operating system the transport was not made for. */
    static final class NotForThisOperatingSystem extends UnsupportedOperationException {
        private static final long serialVersionUID = 1L;

        NotForThisOperatingSystem(String message) {
            super(message);
        }
    }

    /**
     * Why the transport {@code name} cannot run here, or {@code null} when it can: a refusal naming
     * {@code where} it exists when the OS (its {@code os.name} in lower case) fails {@code osMatches},
     * else what {@code library} says after loading Netty's native library, else the {@link LinkageError}
     * that loading it threw (Netty's classes are missing from the class path, or do not match).
     */
    protected static Throwable probe(String name, Predicate<String> osMatches, String where, Supplier<Throwable> library) {
        String os = System.getProperty("os.name", "");
        if (!osMatches.test(os.toLowerCase(Locale.ROOT))) {
            return new NotForThisOperatingSystem(name + " exists only on " + where + "; this is " + os);
        }
        try {
            return library.get();
        } catch (LinkageError e) {
            return e;
        }
    }
}
