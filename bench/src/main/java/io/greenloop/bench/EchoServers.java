package io.greenloop.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The echo servers the echo benchmarks compare, as JMH states: greenloop ({@code StreamServer}, a greenlet per
 * connection, one loop thread) per transport, Netty per transport (one event loop thread, one handler), and JDK
 * virtual threads with {@code java.net.Socket}. Each holds the client its benchmark connects to it, made by the
 * benchmark's first call of {@link Server#client} in the trial (a warm-up call) and closed with the server.
 */
public final class EchoServers {

    private EchoServers() {
    }

    /** Makes a benchmark's client, connected to the server's port. */
    @FunctionalInterface
    interface Connect<C extends AutoCloseable> {
        C to(int port) throws Exception;
    }

    /** A running echo server and its benchmark's client; subclasses say which server. */
    abstract static class Server {
        private EchoPeers.Running running;
        private AutoCloseable client;

        abstract EchoPeers.Running start() throws Exception;

        @Setup(Level.Trial)
        public void startServer() throws Exception {
            running = start();
        }

        /** The client {@code connect} made for this trial: made on the first call, the same one after. */
        @SuppressWarnings("unchecked")
        <C extends AutoCloseable> C client(Connect<C> connect) throws Exception {
            if (client == null) {
                client = connect.to(running.port());
            }
            return (C) client;
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (client != null) {
                EchoPeers.closeQuietly(client);
                client = null;
            }
            if (running != null) {
                running.close();
            }
        }
    }

    /** greenloop's echo server on {@code transport}. */
    @State(Scope.Thread)
    public static class Greenloop extends Server {
        @Param({"nio", "epoll"})
        String transport;

        @Override
        EchoPeers.Running start() throws Exception {
            return EchoPeers.greenloop(transport);
        }
    }

    /** Netty's echo server on {@code nettyTransport}. */
    @State(Scope.Thread)
    public static class Netty extends Server {
        @Param({"epoll", "nio"})
        String nettyTransport;

        @Override
        EchoPeers.Running start() throws Exception {
            return EchoPeers.netty(nettyTransport);
        }
    }

    /** The virtual-thread echo server. */
    @State(Scope.Thread)
    public static class VirtualThreads extends Server {
        @Override
        EchoPeers.Running start() throws Exception {
            return EchoPeers.virtualThreads();
        }
    }
}
