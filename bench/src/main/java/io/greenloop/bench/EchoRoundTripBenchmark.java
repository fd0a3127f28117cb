package io.greenloop.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

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

    @Benchmark
    public byte[] greenloop(EchoServers.Greenloop server) throws Exception {
        return server.client(EchoClients.Blocking::new).roundTrip();
    }

    @Benchmark
    public byte[] netty(EchoServers.Netty server) throws Exception {
        return server.client(EchoClients.Blocking::new).roundTrip();
    }

    @Benchmark
    public byte[] virtualThreads(EchoServers.VirtualThreads server) throws Exception {
        return server.client(EchoClients.Blocking::new).roundTrip();
    }
}
