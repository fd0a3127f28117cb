package io.greenloop;

import io.greenloop.internal.TimerHeap;
import io.greenloop.spi.Transport;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * The poll phase's poll under a loop's {@link IdleStrategy}: one {@link #poll(long)} call per poll phase. A poll
 * that must not wait (timeout 0) only looks, whatever the strategy. One that may wait looks again and again
 * without waiting while the strategy spins or yields, and returns as soon as a look finds I/O ready, another
 * thread has handed the loop a callback or asked it to stop, or the timeout is up; then, for a strategy that
 * ends by blocking, it waits in the poll for what is left of the timeout.
 *
 * <p>While it spins, the loop is not "polling" for the wake-up handshake ({@link LoopShared#beforePoll}): it
 * looks at the inbox itself between polls, so threads that {@link Loop#execute} meanwhile write no wake-up. Only
 * the final blocking poll opens the handshake, as a blocking loop's poll always did.
 *
 * <p>Thread rule: the loop thread only (the transport's).
 */
final class IdlePoll {

    /** The pause after a failed poll, so that a broken poller reports instead of spinning a core. */
    private static final long POLL_FAILURE_BACKOFF_NANOS = 10_000_000;

    /** {@link IdleStrategy#block()}. */
    record Block() implements IdleStrategy {
        static final Block INSTANCE = new Block();

        @Override
        public String toString() {
            return "block";
        }
    }

    /** {@link IdleStrategy#spin()}. */
    record Spin() implements IdleStrategy {
        static final Spin INSTANCE = new Spin();

        @Override
        public String toString() {
            return "spin";
        }
    }

    /** {@link IdleStrategy#backoff(int, int)}. */
    record Backoff(int spins, int yields) implements IdleStrategy {
        Backoff {
            if (spins < 0 || yields < 0) {
                throw new IllegalArgumentException("backoff(" + spins + ", " + yields + "): the numbers of polls to spin"
                        + " and to yield must be 0 or more (backoff(0, 0) blocks at once, as block() does)");
            }
        }

        @Override
        public String toString() {
            return "backoff(" + spins + ", " + yields + ")";
        }
    }

    private final Transport transport;
    private final LoopShared shared;
    /** Looks with a spin-wait hint between; {@code forever} makes it unbounded ({@link Spin}). */
    private final int spins;
    private final boolean forever;
    private final int yields;

    /** The poll of a loop that polls {@code transport}, shares {@code shared} with other threads, and idles so. */
    IdlePoll(IdleStrategy strategy, Transport transport, LoopShared shared) {
        this.transport = transport;
        this.shared = shared;
        switch (strategy) {
            case Block _ -> {
                this.spins = 0;
                this.forever = false;
                this.yields = 0;
            }
            case Spin _ -> {
                this.spins = 0;
                this.forever = true;
                this.yields = 0;
            }
            case Backoff backoff -> {
                this.spins = backoff.spins();
                this.forever = false;
                this.yields = backoff.yields();
            }
        }
    }

    /**
     * How long the poll may wait: 0 when work is ready, until the nearest timer when one is armed, forever (-1)
     * otherwise; one small pure function, tested alone.
     */
    static long timeoutNanos(boolean workReady, TimerHeap.Timer nextTimer, long now) {
        if (workReady) {
            return 0;
        }
        return nextTimer == null ? -1 : Math.max(0, nextTimer.deadline() - now);
    }

    /**
     * The poll phase: {@link #poll(long)}, with a failure reported to {@code errors} and followed by a pause (a broken
     * poller must not spin a core), and the wake-up handshake closed after it whatever happened.
     */
    void pollReportingFailures(long timeoutNanos, LoopErrors errors) {
        try {
            poll(timeoutNanos);
        } catch (IOException | RuntimeException e) {
            errors.report(null, new IOException("polling the " + transport.name() + " transport failed: " + e, e));
            LockSupport.parkNanos(POLL_FAILURE_BACKOFF_NANOS);
        } finally {
            shared.afterPoll();
        }
    }

    /**
     * Polls for at most {@code timeoutNanos} (0: only look; negative: no limit) as the strategy says, and returns
     * how many handles are ready for dispatch. The caller closes the wake-up handshake after it
     * ({@link LoopShared#afterPoll()}), whether it returned or threw.
     */
    int poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0 || (!forever && spins == 0 && yields == 0)) {
            return transport.poll(shared.beforePoll(timeoutNanos));
        }
        long start = System.nanoTime();
        for (int i = 0; forever || i < spins; i++) {
            int ready = transport.poll(0);
            if (ready > 0 || mustReturn(start, timeoutNanos)) {
                return ready;
            }
            Thread.onSpinWait();
        }
        for (int i = 0; i < yields; i++) {
            int ready = transport.poll(0);
            if (ready > 0 || mustReturn(start, timeoutNanos)) {
                return ready;
            }
            Thread.yield();
        }
        long left = timeoutNanos < 0 ? -1 : Math.max(1, timeoutNanos - (System.nanoTime() - start));
        return transport.poll(shared.beforePoll(left));
    }

    /** Whether a spinning poll must return: work came from another thread, a stop was asked, or the timeout is up. */
    private boolean mustReturn(long start, long timeoutNanos) {
        return !shared.inboxIsEmpty() || shared.stopRequested()
                || (timeoutNanos > 0 && System.nanoTime() - start >= timeoutNanos);
    }
}
