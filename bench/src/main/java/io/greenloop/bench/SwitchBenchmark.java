package io.greenloop.bench;

import io.greenloop.Event;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.Queue;
import io.greenloop.internal.GreenletThreads;
import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayDeque;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The cost of one hand-off of control between two strands of execution: greenlets ping-ponging through
 * {@link Event}s or {@link Queue}s and greenlets yielding with {@link Green#sleep()}, beside the floor (a raw
 * {@code jdk.internal.vm.Continuation} resume+yield), JDK virtual threads on the default scheduler
 * ping-ponging with park/unpark, and platform threads through a {@link SynchronousQueue}.
 *
 * <p>One operation is one hand-off: a ping-pong round trip counts as two, and one resume+yield of a
 * continuation counts as one (a hand-off between greenlets is one yield to the loop and one resume).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class SwitchBenchmark {

    /** Round trips per invocation: enough that spawning the two strands is lost in the noise. */
    static final int ROUNDS = 10_000;

    /** The calling JMH thread's loop; the benchmark methods drive it by joining their greenlets. */
    @State(Scope.Thread)
    public static class Greenloop {
        Loop loop;

        @Setup(Level.Trial)
        public void open() {
            loop = Loop.open();
        }

        @TearDown(Level.Trial)
        public void close() {
            loop.close();
        }
    }

    /** A continuation that yields forever; only the fork with the internal export touches this class. */
    @State(Scope.Thread)
    public static class Floor {
        Continuation yielder;

        @Setup(Level.Trial)
        public void create() {
            ContinuationScope scope = new ContinuationScope("bench");
            yielder = new Continuation(scope, () -> {
                while (true) {
                    Continuation.yield(scope);
                }
            });
        }
    }

    /** A platform thread that hands back whatever it is handed. */
    @State(Scope.Thread)
    public static class Echo {
        final SynchronousQueue<Object> toEcho = new SynchronousQueue<>();
        final SynchronousQueue<Object> fromEcho = new SynchronousQueue<>();
        Thread echo;

        @Setup(Level.Trial)
        public void start() {
            echo = Thread.ofPlatform().daemon().name("switch-echo").start(this::echoForever);
        }

        private void echoForever() {
            try {
                while (true) {
                    fromEcho.put(toEcho.take());
                }
            } catch (InterruptedException e) {
                // tear-down: done
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            echo.interrupt();
            echo.join();
        }
    }

    /** Two greenlets hand control back and forth through two {@link Event}s. */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void greenletEventPingPong(Greenloop state) throws Exception {
        Loop loop = state.loop;
        Event ping = new Event();
        Event pong = new Event();
        Greenlet<Void> a = loop.spawn(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                ping.set();
                pong.await();
                pong.clear();
            }
        });
        Greenlet<Void> b = loop.spawn(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                ping.await();
                ping.clear();
                pong.set();
            }
        });
        a.get();
        b.get();
    }

    /** Two greenlets hand a token back and forth through two unbounded {@link Queue}s ({@code take()} parks while empty). */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void greenletQueuePingPong(Greenloop state) throws Exception {
        Loop loop = state.loop;
        Queue<Boolean> ping = new Queue<>();
        Queue<Boolean> pong = new Queue<>();
        Greenlet<Void> a = loop.spawn(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                ping.put(Boolean.TRUE);
                pong.take();
            }
        });
        Greenlet<Void> b = loop.spawn(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                pong.put(ping.take());
            }
        });
        a.get();
        b.get();
    }

    /** Two greenlets each call {@link Green#sleep()} in turn; one operation is one {@code sleep()}. */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void greenletSleepSwitch(Greenloop state) throws Exception {
        Loop loop = state.loop;
        Greenlet<Void> a = loop.spawn(SwitchBenchmark::sleepRounds);
        Greenlet<Void> b = loop.spawn(SwitchBenchmark::sleepRounds);
        a.get();
        b.get();
    }

    private static void sleepRounds() {
        for (int i = 0; i < ROUNDS; i++) {
            Green.sleep();
        }
    }

    /** The floor: one resume and one yield of a bare continuation, with no scheduler at all. */
    @Benchmark
    @Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX,
            ForkFlags.ADD_EXPORTS, ForkFlags.JDK_INTERNAL_VM})
    public void continuationResumeYield(Floor floor) {
        floor.yielder.run();
    }

    /** Two JDK virtual threads (default scheduler) hand a turn back and forth with park/unpark. */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void virtualThreadParkUnpark() throws InterruptedException {
        Turns turns = new Turns();
        turns.a = Thread.ofVirtual().unstarted(() -> turns.play(0, 1, () -> turns.b));
        turns.b = Thread.ofVirtual().unstarted(() -> turns.play(1, 0, () -> turns.a));
        turns.a.start();
        turns.b.start();
        turns.a.join();
        turns.b.join();
    }

    /** The same as {@link #virtualThreadParkUnpark}, with the default scheduler limited to one carrier thread (informative). */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    @Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX,
            ForkFlags.ONE_CARRIER})
    public void virtualThreadParkUnparkOneCarrier() throws InterruptedException {
        virtualThreadParkUnpark();
    }

    /**
     * The same ping-pong on virtual threads whose scheduler is a bare FIFO queue drained by the JMH thread: what
     * the JDK's park/unpark costs with the cheapest scheduler there can be (no loop, no wait bookkeeping), so the
     * floor for any strand built on virtual threads, greenlets included. It uses greenloop's one reach into the
     * JDK for custom schedulers ({@link GreenletThreads#builder}), the same one greenlets are made with.
     */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void virtualThreadParkUnparkOwnScheduler() {
        ArrayDeque<Runnable> runnable = new ArrayDeque<>();
        Thread.Builder.OfVirtual threads = GreenletThreads.builder(runnable::add);
        Turns turns = new Turns();
        turns.a = threads.unstarted(() -> turns.play(0, 1, () -> turns.b));
        turns.b = threads.unstarted(() -> turns.play(1, 0, () -> turns.a));
        turns.a.start();
        turns.b.start();
        for (Runnable next; (next = runnable.poll()) != null; ) {
            next.run();
        }
        if (turns.a.isAlive() || turns.b.isAlive()) {
            throw new IllegalStateException("the ping-pong stopped before its " + ROUNDS + " rounds");
        }
    }

    /** Two threads taking turns: each waits for its turn, passes it over, and unparks the other. */
    private static final class Turns {
        volatile int turn;
        volatile Thread a;
        volatile Thread b;

        void play(int mine, int theirs, java.util.function.Supplier<Thread> other) {
            for (int i = 0; i < ROUNDS; i++) {
                while (turn != mine) {
                    LockSupport.park(this);
                }
                turn = theirs;
                LockSupport.unpark(other.get());
            }
        }
    }

    /** A round trip with a platform thread through {@link SynchronousQueue}s: two hand-offs. */
    @Benchmark
    @OperationsPerInvocation(2)
    public Object platformThreadSynchronousQueue(Echo echo) throws InterruptedException {
        echo.toEcho.put(Boolean.TRUE);
        return echo.fromEcho.take();
    }
}
