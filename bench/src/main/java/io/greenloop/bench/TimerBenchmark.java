package io.greenloop.bench;

import io.greenloop.Cancellable;
import io.greenloop.Loop;
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

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Timers with {@value #ARMED} others armed far in the future (deadlines spread over an hour, so the heap
 * is deep and unordered): schedule+cancel, and schedule+fire in batches of {@value #FIRE_BATCH} due
 * timers, on the loop ({@link Loop#schedule}, fired by {@link Loop#runOnce}) and on a one-thread
 * {@link ScheduledThreadPoolExecutor} (with remove-on-cancel, else cancelled tasks would pile up in its
 * queue; fired on its own thread, which is how it is used).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class TimerBenchmark {

    /** The figure: timers already armed while we measure. */
    static final int ARMED = 100_000;
    /** Due timers per fire batch: one loop iteration (and its non-blocking poll) is amortised over them. */
    static final int FIRE_BATCH = 1_000;
    /** The background timers lie between one and two hours out; new ones land in the middle of that. */
    private static final long FAR_MINUTES = 60;
    private static final Duration NEW_TIMER_DELAY = Duration.ofMinutes(90);
    private static final Runnable NOTHING = () -> { };

    /** A loop on the JMH thread with {@value #ARMED} far timers armed. */
    @State(Scope.Thread)
    public static class Greenloop {
        Loop loop;
        int fired;
        final Runnable countFired = () -> fired++;

        @Setup(Level.Trial)
        public void open() {
            loop = Loop.open();
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < ARMED; i++) {
                loop.schedule(Duration.ofMinutes(FAR_MINUTES).plusMillis(random.nextLong(FAR_MINUTES * 60_000)), NOTHING);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            loop.close();
        }
    }

    /** A one-thread scheduled executor with {@value #ARMED} far tasks armed. */
    @State(Scope.Thread)
    public static class ScheduledExecutor {
        ScheduledThreadPoolExecutor executor;

        @Setup(Level.Trial)
        public void start() {
            executor = new ScheduledThreadPoolExecutor(1);
            executor.setRemoveOnCancelPolicy(true);
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < ARMED; i++) {
                executor.schedule(NOTHING, FAR_MINUTES * 60_000 + random.nextLong(FAR_MINUTES * 60_000), TimeUnit.MILLISECONDS);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Arms a timer among the others and cancels it. */
    @Benchmark
    public boolean greenloopScheduleCancel(Greenloop state) {
        Cancellable timer = state.loop.schedule(NEW_TIMER_DELAY, NOTHING);
        return timer.cancel();
    }

    /** Arms {@value #FIRE_BATCH} due timers, then one loop iteration fires them all. */
    @Benchmark
    @OperationsPerInvocation(FIRE_BATCH)
    public void greenloopScheduleFire(Greenloop state) {
        state.fired = 0;
        for (int i = 0; i < FIRE_BATCH; i++) {
            state.loop.schedule(Duration.ZERO, state.countFired);
        }
        state.loop.runOnce(false);
        if (state.fired != FIRE_BATCH) {
            throw new IllegalStateException("one iteration fired " + state.fired + " of " + FIRE_BATCH + " due timers");
        }
    }

    /** Schedules a task among the others and cancels it (removing it from the queue). */
    @Benchmark
    public boolean executorScheduleCancel(ScheduledExecutor state) {
        ScheduledFuture<?> task = state.executor.schedule(NOTHING, NEW_TIMER_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        return task.cancel(false);
    }

    /** Schedules {@value #FIRE_BATCH} due tasks and waits until its thread has run them all. */
    @Benchmark
    @OperationsPerInvocation(FIRE_BATCH)
    public void executorScheduleFire(ScheduledExecutor state) throws InterruptedException {
        CountDownLatch fired = new CountDownLatch(FIRE_BATCH);
        Runnable countDown = fired::countDown;
        for (int i = 0; i < FIRE_BATCH; i++) {
            state.executor.schedule(countDown, 0, TimeUnit.NANOSECONDS);
        }
        fired.await();
    }
}
