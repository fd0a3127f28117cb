package io.greenloop.spi.unix;

import io.greenloop.spi.Transport;
import io.greenloop.spi.TransportProvider;
import io.netty.util.Version;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the providers of the transports on Netty's JNI bindings share: a name, a priority above NIO's,
 * and availability that is one cause probed once per JVM (loading a native library is not free, and
 * {@link java.util.ServiceLoader} may make several providers). The probe checks, in turn: the operating
 * system, Netty's native library, that the Netty found is the one the transport's bridge class (which calls
 * Netty's package-private methods through {@link NettyInternals}) was built for, and that a transport opens, polls
 * once and closes. Any {@link LinkageError} on the way (Netty missing, another Netty whose package-private methods
 * differ, or a bridge that could not initialise, say for want of its {@code --add-opens} flag on the module path)
 * makes the transport unavailable with that error as the reason (for a bridge, the error its initialisation
 * threw), so {@code Loop.open()} logs it once and falls back to NIO. Thread-safe.
 */
public abstract class NettyTransportProvider implements TransportProvider {

    /** Causes by transport name; an empty value means available. */
    private static final Map<String, Optional<Throwable>> CAUSES = new ConcurrentHashMap<>();

    /**
     * What the probe of one native transport needs.
     *
     * @param name          the transport's name, as {@code Loop.open(name)} takes it
     * @param where         where it exists, for the refusal elsewhere ("Linux")
     * @param osMatches     whether {@code os.name}, in lower case, is such a system
     * @param nettyArtifact the Netty artifact whose version the bridge depends on ({@code netty-transport-classes-epoll})
     * @param builtFor      the Netty version the bridge was compiled against
     * @param library       loads Netty's native library: {@code null} when it loaded, else why not
     */
    protected record Binding(String name, String where, Predicate<String> osMatches, String nettyArtifact,
                             String builtFor, Supplier<Throwable> library) {
        /** Checks that each part is given. */
        public Binding {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(where, "where");
            Objects.requireNonNull(osMatches, "osMatches");
            Objects.requireNonNull(nettyArtifact, "nettyArtifact");
            Objects.requireNonNull(builtFor, "builtFor");
            Objects.requireNonNull(library, "library");
        }
    }

    private final Binding binding;
    private final int priority;

    /**
     * A provider of the transport {@code binding} names, preferred by {@code Loop.open()} with {@code priority}.
     *
     * @param binding the Netty binding that names and makes the transport
     * @param priority its preference when {@code Loop.open()} chooses
     */
    protected NettyTransportProvider(Binding binding, int priority) {
        this.binding = Objects.requireNonNull(binding, "binding");
        this.priority = priority;
    }

    @Override
    public final String name() {
        return binding.name();
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
    public final Throwable unavailabilityCause() {
        return CAUSES.computeIfAbsent(binding.name(), name -> Optional.ofNullable(probe())).orElse(null);
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

    /** The cause the probe gives when the Netty found is not the one the bridge was built for. */
    static final class NettyVersionMismatch extends LinkageError {
        private static final long serialVersionUID = 1L;

        NettyVersionMismatch(String message) {
            super(message);
        }
    }

    private Throwable probe() {
        String os = System.getProperty("os.name", "");
        if (!binding.osMatches().test(os.toLowerCase(Locale.ROOT))) {
            return new NotForThisOperatingSystem(binding.name() + " exists only on " + binding.where() + "; this is " + os);
        }
        try {
            Throwable library = binding.library().get();
            if (library != null) {
                return library;
            }
            checkNettyVersion();
            touch();
            return null;
        } catch (ExceptionInInitializerError e) {
            // The bridge's own message (the missing flag, the missing member) says more than "could not initialise".
            return e.getCause() != null ? e.getCause() : e;
        } catch (LinkageError e) {
            return e;
        }
    }

    private void checkNettyVersion() {
        Version found = Version.identify().get(binding.nettyArtifact());
        if (found != null && !found.artifactVersion().equals(binding.builtFor())) {
            throw new NettyVersionMismatch("the " + binding.name() + " transport was built for Netty " + binding.builtFor()
                    + " and calls its package-private methods, but " + binding.nettyArtifact() + " "
                    + found.artifactVersion() + " was found; use " + binding.builtFor()
                    + " (the greenloop POM's netty-bom does)");
        }
    }

    /** Opens a transport and a socket, polls once without waiting and closes both: the bridge's calls link now, not in a loop. */
    private void touch() {
        try (Transport transport = create()) {
            transport.openStream(StandardProtocolFamily.INET).close();
            transport.poll(0);
        } catch (IOException | RuntimeException e) {
            // Not a linkage problem (say, no descriptors left): the transport stays available and Loop.open reports it.
        }
    }
}
