package io.greenloop.bench;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spawn and join in batches of {@value #BATCH}: greenlets ({@code Loop.spawn}, then
 * {@link Green#joinAll}), beside raw {@code jdk.internal.vm.Continuation} create+run (the floor) and JDK
 * virtual threads on the default scheduler (start, then join each). One operation is one strand
 * created, run to its end, and joined; every body counts itself so that a batch is checked complete.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class SpawnBenchmark {

    /** The batch size. */
    static final int BATCH = 1_000;

    /** The calling JMH thread's loop, and a counter every body bumps. */
    @State(Scope.Thread)
    public static class Greenloop {
        Loop loop;
        final AtomicInteger ran = new AtomicInteger();
        Callable<Object> body;

        @Setup(Level.Trial)
        public void open() {
            loop = Loop.open();
            body = () -> ran.incrementAndGet();
        }

        @TearDown(Level.Trial)
        public void close() {
            loop.close();
        }
    }

    /** A counter every body bumps. */
    @State(Scope.Thread)
    public static class Counter {
        final AtomicInteger ran = new AtomicInteger();
        Runnable body;

        @Setup(Level.Trial)
        public void create() {
            body = ran::incrementAndGet;
        }
    }

    /** Spawns {@value #BATCH} greenlets on the loop, then joins them all (driving the loop). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void greenlets(Greenloop state) {
        int start = state.ran.get();
        List<Greenlet<?>> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(state.loop.spawn(state.body));
        }
        Green.joinAll(batch);
        check(state.ran.get() - start);
    }

    /** The floor: {@value #BATCH} bare continuations, each created and run to its end. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX,
            ForkFlags.ADD_EXPORTS, ForkFlags.JDK_INTERNAL_VM})
    public void continuations(Counter counter) {
        int start = counter.ran.get();
        ContinuationScope scope = ContinuationHolder.SCOPE;
        for (int i = 0; i < BATCH; i++) {
            new Continuation(scope, counter.body).run();
        }
        check(counter.ran.get() - start);
    }

    /** {@value #BATCH} JDK virtual threads on the default scheduler, started, then joined one by one. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void virtualThreads(Counter counter) throws InterruptedException {
        int start = counter.ran.get();
        Thread[] batch = new Thread[BATCH];
        for (int i = 0; i < BATCH; i++) {
            batch[i] = Thread.ofVirtual().start(counter.body);
        }
        for (Thread thread : batch) {
            thread.join();
        }
        check(counter.ran.get() - start);
    }

    /**
     * The same as {@link #virtualThreads}, with the default scheduler limited to one carrier thread: not a
     * target, but it shows how much of the peer's lead on a multi-core machine is its second carrier.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX,
            ForkFlags.ONE_CARRIER})
    public void virtualThreadsOneCarrier(Counter counter) throws InterruptedException {
        virtualThreads(counter);
    }

    private static void check(int ran) {
        if (ran != BATCH) {
            throw new IllegalStateException("a batch ran " + ran + " bodies instead of " + BATCH);
        }
    }

    /** Keeps the continuation scope out of the other forks' class loading. */
    private static final class ContinuationHolder {
        static final ContinuationScope SCOPE = new ContinuationScope("bench");
    }
}
