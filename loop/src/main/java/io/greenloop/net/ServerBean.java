package io.greenloop.net;

import io.greenloop.lowlevel.PlatformBeans;

import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * A server's {@link ServerMXBean}, read from the server's thread-safe numbers; registered by {@link #register} off the
 * server's loop ({@link PlatformBeans}). Any thread.
 */
final class ServerBean implements ServerMXBean {

    private final Supplier<ServerStats> stats;
    private final IntSupplier activeHandlers;
    private final InetSocketAddress address;
    private final BooleanSupplier stopping;

    private ServerBean(Supplier<ServerStats> stats, IntSupplier activeHandlers, InetSocketAddress address,
                       BooleanSupplier stopping) {
        this.stats = stats;
        this.activeHandlers = activeHandlers;
        this.address = address;
        this.stopping = stopping;
    }

    /** Registers the bean of the server called {@code name} as {@code io.greenloop:type=Server,name=<name>}. */
    static PlatformBeans.Registration register(String name, Object server, Supplier<ServerStats> stats,
                                              IntSupplier activeHandlers, InetSocketAddress address, BooleanSupplier stopping) {
        return PlatformBeans.register("Server", name, new ServerBean(stats, activeHandlers, address, stopping), server);
    }

    @Override
    public long getAccepted() {
        return stats.get().accepted();
    }

    @Override
    public int getOpen() {
        return stats.get().open();
    }

    @Override
    public long getRefused() {
        return stats.get().refused();
    }

    @Override
    public long getIdleClosed() {
        return stats.get().idleClosed();
    }

    @Override
    public long getHandshakesFailed() {
        return stats.get().handshakesFailed();
    }

    @Override
    public long getAcceptErrors() {
        return stats.get().acceptErrors();
    }

    @Override
    public int getActiveHandlers() {
        return activeHandlers.getAsInt();
    }

    @Override
    public String getAddress() {
        return address.getHostString() + ":" + address.getPort();
    }

    @Override
    public boolean isStopping() {
        return stopping.getAsBoolean();
    }
}
