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
 * TLS 1.3 on the JDK's SSLEngine, greenloop's {@code TlsSocket}/{@code StreamServer.tls} beside Netty's
 * {@code SslHandler} (JDK provider), each stack with its client and server on one thread
 * ({@link TlsPeers}): full handshakes per second ({@code *Handshake}: connect, handshake, close_notify), and
 * 16 KiB records per second over one connection ({@code *Records}: {@value TlsPeers#BATCH} records, then a
 * one-byte acknowledgement; multiply by 16 KiB for bytes).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class TlsBenchmark {

    /** A stack's client and server, stopped at the end of the trial; subclasses say which stack. */
    abstract static class Stack<P extends AutoCloseable> {
        P peers;

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            peers.close();
        }
    }

    /** greenloop on {@code transport}, its loop owned by the JMH thread (set up on it: Scope.Thread). */
    @State(Scope.Thread)
    public static class Greenloop extends Stack<TlsPeers.Greenloop> {
        @Param({"epoll"})
        String transport;

        @Setup(Level.Trial)
        public void start() throws Exception {
            peers = new TlsPeers.Greenloop(transport);
        }
    }

    /** Netty on {@code nettyTransport}, one event loop thread. */
    @State(Scope.Thread)
    public static class Netty extends Stack<TlsPeers.Netty> {
        @Param({"epoll"})
        String nettyTransport;

        @Setup(Level.Trial)
        public void start() throws Exception {
            peers = new TlsPeers.Netty(nettyTransport);
        }
    }

    @Benchmark
    public void greenloopHandshake(Greenloop state) throws Exception {
        state.peers.handshake();
    }

    @Benchmark
    public void nettyHandshake(Netty state) throws Exception {
        state.peers.handshake();
    }

    @Benchmark
    @OperationsPerInvocation(TlsPeers.BATCH)
    public void greenloopRecords(Greenloop state) throws Exception {
        state.peers.batch();
    }

    @Benchmark
    @OperationsPerInvocation(TlsPeers.BATCH)
    public void nettyRecords(Netty state) throws Exception {
        state.peers.batch();
    }
}
