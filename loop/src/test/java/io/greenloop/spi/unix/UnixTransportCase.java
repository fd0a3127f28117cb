package io.greenloop.spi.unix;

import io.greenloop.spi.TransportProvider;
import org.junit.jupiter.api.BeforeEach;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every shared test of a native transport knows: the name of the transport under test, and what
 * a machine without it does. Each transport module runs these tests through one-screen subclasses.
 */
public abstract class UnixTransportCase {

    /** For a transport that cannot exist on some machines (kqueue off macOS): its tests report themselves skipped there. */
    protected static final boolean SKIP_WHERE_UNAVAILABLE = true;
    /** For a transport that must run wherever its tests run (epoll, whose module builds on Linux only). */
    protected static final boolean FAIL_WHERE_UNAVAILABLE = false;

    /** The transport under test, as {@code Loop.open(name)} takes it. */
    protected final String transportName;
    private final boolean skipWhereUnavailable;

    /**
     * Tests of {@code transport}. With {@code skipWhereUnavailable} each test reports itself skipped where
     * the transport cannot run (kqueue off macOS); without it they fail there (epoll, which must run on Linux).
     */
    protected UnixTransportCase(String transport, boolean skipWhereUnavailable) {
        this.transportName = transport;
        this.skipWhereUnavailable = skipWhereUnavailable;
    }

    @BeforeEach
    final void onlyWhereTheTransportRuns() {
        // Per test, and before any subclass opens a loop or transport, so that each is reported as skipped.
        if (skipWhereUnavailable) {
            TransportProvider provider = provider();
            assumeTrue(provider.isAvailable(), () -> transportName + " does not run here: " + provider.unavailabilityCause());
        }
    }

    private TransportProvider provider() {
        return ServiceLoader.load(TransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.name().equals(transportName)).findFirst()
                .orElseThrow(() -> new AssertionError("no provider of the transport " + transportName + " on the class path"));
    }
}
