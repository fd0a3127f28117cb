package io.greenloop.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Echo throughput over {@value #CONNECTIONS} loopback connections, each with one
 * {@value EchoClients#MESSAGE}-byte message in flight, driven by one Netty client thread (the same for
 * every row). Only the echo server differs: greenloop per transport, Netty per transport (one event loop
 * thread, one handler), JDK virtual threads with {@code java.net.Socket}. One operation is one message
 * echoed; the score is messages per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class EchoThroughputBenchmark {

    /** The figure. */
    static final int CONNECTIONS = 64;
    /** Round trips per connection per invocation: a batch of some thousands of messages. */
    static final int ROUNDS = 50;

    /** A server and the load client connected to it; subclasses say which server. */
    abstract static class Loaded {
        EchoPeers.Running server;
        EchoClients.Load client;

        void connect(EchoPeers.Running started) throws InterruptedException {
            server = started;
            client = new EchoClients.Load(server.port(), CONNECTIONS);
        }

        @TearDown(Level.Trial)
        public void disconnect() {
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
    public static class Greenloop extends Loaded {
        @Param({"nio", "epoll"})
        String transport;

        @Setup(Level.Trial)
        public void start() throws Exception {
            connect(EchoPeers.greenloop(transport));
        }
    }

    /** Netty's echo server on {@code nettyTransport}. */
    @State(Scope.Thread)
    public static class Netty extends Loaded {
        @Param({"epoll", "nio"})
        String nettyTransport;

        @Setup(Level.Trial)
        public void start() throws Exception {
            connect(EchoPeers.netty(nettyTransport));
        }
    }

    /** The virtual-thread echo server. */
    @State(Scope.Thread)
    public static class VirtualThreads extends Loaded {
        @Setup(Level.Trial)
        public void start() throws Exception {
            connect(EchoPeers.virtualThreads());
        }
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * ROUNDS)
    public void greenloop(Greenloop state) throws InterruptedException {
        state.client.run(ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * ROUNDS)
    public void netty(Netty state) throws InterruptedException {
        state.client.run(ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * ROUNDS)
    public void virtualThreads(VirtualThreads state) throws InterruptedException {
        state.client.run(ROUNDS);
    }
}
