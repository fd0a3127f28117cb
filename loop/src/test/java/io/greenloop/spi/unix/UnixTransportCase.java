package io.greenloop.spi.unix;

import io.greenloop.TransportUnderTest;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every shared test of a native transport knows: the name of the transport under test. Each transport
 * module runs these tests through one-screen subclasses; {@link TransportUnderTest} decides whether they run,
 * fail (the transport is unavailable on the OS it is made for) or are skipped (another OS).
 */
public abstract class UnixTransportCase {

    /** The transport under test, as {@code Loop.open(name)} takes it. */
    protected final String transportName;

    /** Tests of {@code transport}. */
    protected UnixTransportCase(String transport) {
        this.transportName = transport;
    }

    @BeforeEach
    final void onlyWhereTheTransportRuns() {
        // Per test, and before any subclass opens a loop or transport, so that each is reported on its own.
        TransportUnderTest.require(transportName);
    }
}
