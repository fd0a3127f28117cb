package io.greenloop.nio;

import io.greenloop.spi.Transport;
import io.greenloop.spi.TransportProvider;

import java.io.IOException;

/** Provides {@link NioTransport}: available everywhere, the lowest priority, the fallback. */
public final class NioTransportProvider implements TransportProvider {

    /** The provider; {@link java.util.ServiceLoader} makes it. */
    public NioTransportProvider() {
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public Transport create() throws IOException {
        return new NioTransport();
    }
}
