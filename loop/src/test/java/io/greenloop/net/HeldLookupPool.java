package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Ticker;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Every thread of a {@link LookupPool} held by a lookup until {@link #release()}, so that lookups made meanwhile
 * queue behind it for as long as the test needs, ordered by cause: a fixed 400 ms of busy tasks raced the test,
 * which on a loaded machine could not always tick ten times in it. Each held lookup has a caller of its own (a
 * platform thread), which keeps waiting for it: a lookup nobody waits for would no longer hold its place. They let
 * go by themselves after {@link #HOLD_LIMIT}, below the Dns pool's 10 s timeout, so that a failed test cannot
 * leave the JVM's shared pool stuck for the next one.
 */
final class HeldLookupPool {

    static final Duration HOLD_LIMIT = Duration.ofSeconds(8);

    private final CountDownLatch released = new CountDownLatch(1);
    private final List<Thread> callers = new ArrayList<>();

    private HeldLookupPool() {
    }

    /** Holds all {@code threads} threads of {@code pool}; returns once each runs a held lookup. */
    static HeldLookupPool hold(LookupPool pool, int threads) {
        HeldLookupPool held = new HeldLookupPool();
        CountDownLatch running = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            String name = "held-" + i + ".example";
            held.callers.add(Thread.ofPlatform().daemon().start(() -> held.holdOne(pool, name, running)));
        }
        try {
            if (!running.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the held lookups did not all start within " + HOLD_LIMIT);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return held;
    }

    /** Holds every thread of {@link Dns}'s own pool. */
    static HeldLookupPool holdDns() {
        return hold(Dns.pool(), Dns.LOOKUP_THREADS);
    }

    private void holdOne(LookupPool pool, String name, CountDownLatch running) {
        try {
            pool.run("held", name, () -> {
                running.countDown();
                released.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                return null;
            });
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Lets the held threads go; the lookups queued behind them run next. */
    void release() {
        released.countDown();
    }

    /**
     * Releases from a greenlet of its own once {@code ticker} has ticked {@code ticks} times, for a test whose
     * own greenlet is parked in a lookup meanwhile; the greenlet's value is whether {@code queued} was still
     * waiting then.
     */
    Greenlet<Boolean> releaseAfterTicks(Ticker ticker, int ticks, Greenlet<?> queued) {
        return Green.spawn(() -> {
            long end = System.nanoTime() + HOLD_LIMIT.toNanos();
            while (ticker.ticks() < ticks && System.nanoTime() - end < 0) {
                Green.sleep(Duration.ofMillis(1));
            }
            boolean stillWaiting = !queued.ready();
            release();
            return stillWaiting;
        });
    }

    /** Releases (if not yet) and waits for the held lookups' callers to have their answers. */
    void releaseAndAwaitEnd() {
        release();
        for (Thread caller : callers) {
            try {
                caller.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
