package io.greenloop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * One {@link Pool#map} or {@link Pool#imapUnordered} call: a feeder greenlet spawns a worker into the
 * pool for each item (parking while the pool is full), and each worker's outcome lands in a queue that
 * the caller takes from, so the caller hears of a failure as soon as it happens, even while the feeder
 * still waits for a free slot. Loop thread only.
 */
final class MapRun<A, R> {

    /** What one worker produced: a value, or the failure it ended with. {@code index} -1 is the feeder's own failure. */
    private record Outcome(int index, Object value, Throwable failure) {
    }

    private final Pool pool;
    private final Function<? super A, ? extends R> fn;
    private final List<A> items;
    private final Loop loop;
    private final Queue<Outcome> outcomes = new Queue<>();
    private final List<Greenlet<Outcome>> workers = new ArrayList<>();
    private Greenlet<Void> feeder;
    private int delivered;

    MapRun(Pool pool, Function<? super A, ? extends R> fn, List<A> items, Loop loop) {
        this.pool = pool;
        this.fn = fn;
        this.items = items;
        this.loop = loop;
    }

    MapRun<A, R> start() {
        if (!items.isEmpty()) {
            feeder = loop.spawn(this::feed);
        }
        return this;
    }

    private void feed() {
        try {
            for (int i = 0; i < items.size(); i++) {
                spawnWorker(i, items.get(i));
            }
        } catch (GreenletExit e) {
            throw e;
        } catch (Throwable e) {
            outcomes.offer(new Outcome(-1, null, e));
        }
    }

    private void spawnWorker(int index, A item) {
        Greenlet<Outcome> worker = pool.spawn(() -> {
            try {
                return new Outcome(index, fn.apply(item), null);
            } catch (GreenletExit e) {
                throw e;
            } catch (Throwable e) {
                // Caught so that the caller gets it and the loop's error handler does not log it too.
                return new Outcome(index, null, e);
            }
        });
        workers.add(worker);
        worker.link(done -> outcomes.offer(done.value() != null ? done.value() : new Outcome(index, null, killed(index, done))));
    }

    private static Throwable killed(int index, Greenlet<?> worker) {
        CancellationException cancelled = new CancellationException("the greenlet for item " + index + " (" + worker.name()
                + ") was killed before it produced a result");
        cancelled.initCause(worker.exception());
        return cancelled;
    }

    /** Waits for every result and returns them in item order; rethrows the first failure. */
    @SuppressWarnings("unchecked")
    List<R> awaitAll() {
        Object[] results = new Object[items.size()];
        while (hasMore()) {
            Outcome outcome = take();
            results[outcome.index()] = outcome.value();
        }
        return new ArrayList<>((List<R>) Arrays.asList(results));
    }

    boolean hasMore() {
        return delivered < items.size();
    }

    /** The next result in completion order; parks until there is one, rethrows it when it is a failure. */
    @SuppressWarnings("unchecked")
    R next() {
        if (!hasMore()) {
            throw new NoSuchElementException("all " + items.size() + " results have been returned");
        }
        return (R) take().value();
    }

    private Outcome take() {
        Outcome outcome = outcomes.take();
        delivered = outcome.index() < 0 ? items.size() : delivered + 1;
        if (outcome.failure() != null) {
            throw Strand.unchecked(outcome.failure());
        }
        return outcome;
    }

    /** Kills the feeder, then every worker it spawned, and waits until they are dead. */
    void cancel() {
        if (feeder != null) {
            feeder.kill();
        }
        Green.killAll(List.copyOf(workers));
    }
}
