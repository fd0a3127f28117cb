package io.greenloop;

import io.greenloop.internal.SafeLog;
import io.greenloop.spi.Transport;
import io.greenloop.spi.TransportProvider;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which transport a new loop gets: the providers {@link ServiceLoader} finds, best first (epoll, kqueue, then nio),
 * or the one a user names. A native transport that failed to load is logged once per JVM, not once per loop.
 * Any thread.
 */
final class TransportSelection {

    /** Native transports whose unavailability was logged already. */
    private static final Set<String> REPORTED_UNAVAILABLE = ConcurrentHashMap.newKeySet();
    /** System.Logger "io.greenloop.Transport": which transports a JVM can use. */
    private static final SafeLog LOG = SafeLog.of("Transport");

    private TransportSelection() {
    }

    /** The provider called {@code name} ({@link #named}), or for {@code null} the configured or best one. */
    static TransportProvider chosen(String name) {
        return name == null ? configuredOrBest() : named(name);
    }

    /** A new transport from {@code provider}; a failure to make one names the transport. */
    static Transport create(TransportProvider provider) {
        try {
            return provider.create();
        } catch (IOException e) {
            throw new IllegalStateException("could not open the " + provider.name() + " transport: " + e.getMessage(), e);
        }
    }

    /** {@code -Dgreenloop.transport=NAME} when it is set, else the best available provider. */
    private static TransportProvider configuredOrBest() {
        String chosen = System.getProperty("greenloop.transport");
        return chosen != null && !chosen.isBlank() ? named(chosen.trim()) : best();
    }

    /** The provider called {@code name}; an unknown or unavailable one throws, naming those that are available. */
    static TransportProvider named(String name) {
        for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
            if (provider.name().equals(name)) {
                if (!provider.isAvailable()) {
                    throw new IllegalArgumentException("transport \"" + name + "\" is not available here ("
                            + provider.unavailabilityCause() + "); available: " + availableNames());
                }
                return provider;
            }
        }
        throw new IllegalArgumentException("no transport named \"" + name + "\"; available: " + availableNames());
    }

    /** The names of the transports that work on this machine, best first. */
    static List<String> availableNames() {
        return available().stream().map(TransportProvider::name).toList();
    }

    private static TransportProvider best() {
        List<TransportProvider> providers = available();
        if (providers.isEmpty()) {
            throw new IllegalStateException("no greenloop transport is available; is greenloop-loop's META-INF/services on the classpath?");
        }
        return providers.getFirst();
    }

    private static List<TransportProvider> available() {
        List<TransportProvider> providers = new ArrayList<>();
        for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
            if (provider.isAvailable()) {
                providers.add(provider);
            } else if (provider.priority() > 0 && REPORTED_UNAVAILABLE.add(provider.name())) {
                // A transport for another OS (kqueue on Linux) is expected to be missing; one that failed to load is news.
                System.Logger.Level level = provider.isForThisOperatingSystem() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
                LOG.log(level, "greenloop transport {0} is unavailable, so it is not used: {1}",
                        provider.name(), provider.unavailabilityCause());
            }
        }
        providers.sort(Comparator.comparingInt(TransportProvider::priority).reversed());
        return providers;
    }
}
