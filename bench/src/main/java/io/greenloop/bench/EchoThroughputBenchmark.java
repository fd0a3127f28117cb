package io.greenloop.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;

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

    /** The load client: {@value #CONNECTIONS} connections to {@code port}. */
    private static EchoClients.Load load(int port) throws InterruptedException {
        return new EchoClients.Load(port, CONNECTIONS);
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * ROUNDS)
    public void greenloop(EchoServers.Greenloop server) throws Exception {
        server.client(EchoThroughputBenchmark::load).run(ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * ROUNDS)
    public void netty(EchoServers.Netty server) throws Exception {
        server.client(EchoThroughputBenchmark::load).run(ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * ROUNDS)
    public void virtualThreads(EchoServers.VirtualThreads server) throws Exception {
        server.client(EchoThroughputBenchmark::load).run(ROUNDS);
    }
}
