package io.greenloop.bench;

import io.greenloop.Loop;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
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

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Cross-thread wake-up: the JMH thread hands a task to an idle event loop on another thread (parked in
 * its poll: epoll_wait or a selector) and waits until the task has run and unparked it. greenloop's
 * {@link Loop#execute} per transport, beside Netty's {@code EventLoop.execute} per transport. One
 * operation is one such round trip; both sides pay the same park/unpark of the JMH thread.
 *
 * <p>{@link RunBenchmarks} sets {@code transport} to the greenloop transports available here and
 * {@code nettyTransport} to Netty's; naming one that is not available fails that run with the reason.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class WakeupBenchmark {

    /** How long set-up may wait for the loop thread to open its loop. */
    private static final long OPEN_TIMEOUT_SECONDS = 10;

    /** A round trip's rendezvous: the task sets {@code done} and unparks the JMH thread. */
    @State(Scope.Thread)
    public static class Signal {
        volatile boolean done;
        Thread waiter;
        final Runnable task = () -> {
            done = true;
            LockSupport.unpark(waiter);
        };

        @Setup(Level.Trial)
        public void bind() {
            waiter = Thread.currentThread();
        }

        void send(java.util.concurrent.Executor loop) {
            done = false;
            loop.execute(task);
            while (!done) {
                LockSupport.park(this);
            }
        }
    }

    /** A greenloop loop on its own platform thread, running forever and idle between tasks. */
    @State(Scope.Thread)
    public static class Greenloop {
        @Param({"nio", "epoll"})
        String transport;
        Loop loop;
        Thread thread;

        @Setup(Level.Trial)
        public void start() throws Exception {
            CompletableFuture<Loop> opened = new CompletableFuture<>();
            thread = Thread.ofPlatform().name("greenloop-" + transport).start(() -> {
                Loop own;
                try {
                    own = Loop.open(transport);
                } catch (RuntimeException e) {
                    opened.completeExceptionally(e);
                    return;
                }
                opened.complete(own);
                own.runForever();
                own.close();
            });
            loop = opened.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            loop.stop();
            thread.join();
        }
    }

    /** A Netty event loop group of one thread. */
    @State(Scope.Thread)
    public static class Netty {
        @Param({"epoll", "nio"})
        String nettyTransport;
        MultiThreadIoEventLoopGroup group;
        EventLoop eventLoop;

        @Setup(Level.Trial)
        public void start() {
            group = NettyPeers.oneThread(nettyTransport);
            eventLoop = group.next();
        }

        @TearDown(Level.Trial)
        public void stop() {
            NettyPeers.shutdown(group);
        }
    }

    /** {@link Loop#execute} from the JMH thread to the idle loop, and back. */
    @Benchmark
    public void greenloopExecute(Greenloop state, Signal signal) {
        signal.send(state.loop);
    }

    /** Netty's {@code EventLoop.execute} from the JMH thread to the idle event loop, and back. */
    @Benchmark
    public void nettyExecute(Netty state, Signal signal) {
        signal.send(state.eventLoop);
    }
}
