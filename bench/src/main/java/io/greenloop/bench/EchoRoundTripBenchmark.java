package io.greenloop.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Round trip of a {@value EchoClients#MESSAGE}-byte message over one loopback connection: the JMH thread
 * writes it with a blocking {@link java.net.Socket} and reads the echo back. Only the echo server differs
 * between rows: greenloop ({@code StreamServer}, a greenlet per connection, one loop thread) per transport,
 * Netty per transport (one event loop thread, one handler), and JDK virtual threads with
 * {@code java.net.Socket} (default scheduler). One operation is one round trip.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class EchoRoundTripBenchmark {

    /** A server and the blocking client connected to it; subclasses say which server. */
    abstract static class Connected {
        EchoPeers.Running server;
        EchoClients.Blocking client;

        void connect(EchoPeers.Running started) throws IOException {
            server = started;
            client = new EchoClients.Blocking(server.port());
        }

        @TearDown(Level.Trial)
        public void disconnect() throws IOException {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    /** greenloop's echo server on {@code transport}. */
    @State(Scope.Thread)
    public static class Greenloop extends Connected {
        @Param({"nio", "epoll"})
        String transport;

        @Setup(Level.Trial)
        public void start() throws Exception {
            connect(EchoPeers.greenloop(transport));
        }
    }

    /** Netty's echo server on {@code nettyTransport}. */
    @State(Scope.Thread)
    public static class Netty extends Connected {
        @Param({"epoll", "nio"})
        String nettyTransport;

        @Setup(Level.Trial)
        public void start() throws Exception {
            connect(EchoPeers.netty(nettyTransport));
        }
    }

    /** The virtual-thread echo server. */
    @State(Scope.Thread)
    public static class VirtualThreads extends Connected {
        @Setup(Level.Trial)
        public void start() throws Exception {
            connect(EchoPeers.virtualThreads());
        }
    }

    @Benchmark
    public byte[] greenloop(Greenloop state) throws IOException {
        return state.client.roundTrip();
    }

    @Benchmark
    public byte[] netty(Netty state) throws IOException {
        return state.client.roundTrip();
    }

    @Benchmark
    public byte[] virtualThreads(VirtualThreads state) throws IOException {
        return state.client.roundTrip();
    }
}
