package io.greenloop.bench;

import io.greenloop.CheckedRunnable;
import io.greenloop.Event;
import io.greenloop.Greenlet;
import io.greenloop.Loop;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Heap bytes per parked strand: parks N greenlets on one {@link Event} (or N JDK virtual threads on the
 * default scheduler on one {@link CountDownLatch}), measures used heap after full GCs before and after,
 * divides by N, then releases them all and checks that every one finished. Run it in a fresh JVM per
 * kind (so {@link RunBenchmarks} does); it prints one line {@code RESULT kind count bytesPerStrand}.
 *
 * <p>Usage: {@code java --add-opens java.base/java.lang=ALL-UNNAMED -Xmx8g io.greenloop.bench.ParkedMemory
 * greenlets|virtual-threads [count]}.
 */
public final class ParkedMemory {

    /** The figure: a million parked greenlets. */
    static final int DEFAULT_COUNT = 1_000_000;
    /** Full GCs in a row before a reading, so that what is left is what is reachable. */
    private static final int GC_ROUNDS = 3;
    /**
     * Strands parked and released before the measurement, so that the park path is compiled: the first strands
     * to park otherwise freeze interpreted frames, several times larger than compiled ones, and how many do
     * depends on when the JIT gets there, which moved either figure by 40 bytes from run to run.
     */
    static final int WARM_UP_COUNT = 50_000;
    /** How long to wait for the virtual threads to park before giving up (they need only seconds). */
    private static final long PARK_DEADLINE_SECONDS = 120;

    private ParkedMemory() {
    }

    /** Measures the kind named by {@code args[0]} with {@code args[1]} strands (default a million). */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("greenlets") || args[0].equals("virtual-threads"))) {
            throw new IllegalArgumentException("usage: ParkedMemory greenlets|virtual-threads [count]");
        }
        int count = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_COUNT;
        double perStrand = args[0].equals("greenlets") ? greenlets(count) : virtualThreads(count);
        System.out.printf(Locale.ROOT, "RESULT %s %d %.1f%n", args[0], count, perStrand);
    }

    /** Bytes of heap per greenlet parked in {@link Event#await()}. */
    static double greenlets(int count) {
        try (Loop loop = Loop.open()) {
            parkGreenlets(loop, WARM_UP_COUNT, () -> 0L);
            return parkGreenlets(loop, count, ParkedMemory::usedHeapAfterGc) / (double) count;
        }
    }

    /** Parks {@code count} greenlets on one event, takes {@code heap} before and while they are parked, releases them; returns the growth. */
    private static long parkGreenlets(Loop loop, int count, java.util.function.LongSupplier heap) {
        Event release = new Event();
        int[] parked = {0};
        CheckedRunnable parkUntilReleased = () -> {
            parked[0]++;
            release.await();
        };
        long before = heap.getAsLong();
        Greenlet<Void> last = null;
        for (int i = 0; i < count; i++) {
            last = loop.spawn(parkUntilReleased);
        }
        while (parked[0] < count) {
            loop.runOnce(false);  // a pass of the ready queue is bounded in time: as many as it takes to start them all
        }
        if (loop.liveGreenlets() != count) {
            throw new IllegalStateException("expected " + count + " live greenlets, found " + loop.liveGreenlets());
        }
        long after = heap.getAsLong();
        release.set();
        last.join();  // waiters wake FIFO, so the last one spawned finishes last
        if (loop.liveGreenlets() != 0) {
            throw new IllegalStateException(loop.liveGreenlets() + " greenlets did not finish after the release");
        }
        return after - before;
    }

    /** Bytes of heap per default-scheduler virtual thread parked in {@link CountDownLatch#await()}. */
    static double virtualThreads(int count) throws InterruptedException {
        parkVirtualThreads(new Thread[WARM_UP_COUNT], () -> 0L);
        Thread[] threads = new Thread[count];  // allocated before the baseline: not part of the figure
        return parkVirtualThreads(threads, ParkedMemory::usedHeapAfterGc) / (double) count;
    }

    /** Parks one virtual thread per slot of {@code threads} on one latch, takes {@code heap} before and while parked, releases them; returns the growth. */
    private static long parkVirtualThreads(Thread[] threads, java.util.function.LongSupplier heap) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        long before = heap.getAsLong();
        for (int i = 0; i < threads.length; i++) {
            threads[i] = Thread.ofVirtual().start(() -> awaitQuietly(release));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PARK_DEADLINE_SECONDS);
        for (Thread thread : threads) {
            while (thread.getState() != Thread.State.WAITING) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(thread + " did not park within " + PARK_DEADLINE_SECONDS + " s");
                }
                Thread.sleep(1);
            }
        }
        long after = heap.getAsLong();
        release.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        return after - before;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
