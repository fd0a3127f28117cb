package io.greenloop;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.function.Function;

/**
 * One {@link Pool#map}, {@link Pool#imap} or {@link Pool#imapUnordered} call: a feeder greenlet pulls
 * the inputs one at a time, each only once the pool has a free slot (so at most {@code size()} run and
 * an endless {@code Iterable} is fine), and spawns a worker into the pool for it; each worker's outcome
 * lands in a queue the caller takes from, so the caller hears of a failure as soon as it happens. With a
 * {@code maxsize}, the feeder also takes a permit per input that the caller gives back as it consumes the
 * result: at most {@code maxsize} results are running or waiting for a slow consumer (gevent issue #638).
 * Results come out in completion order, or in input order ({@code ordered}), buffering early ones.
 * Loop thread only.
 */
final class MapRun<A, R> {

    /** What one worker produced: a value, or the failure it ended with. */
    private record Outcome(int index, Object value, Throwable failure) {
    }

    /** Posted by the feeder when it has pulled every input ({@code failure} when pulling failed). */
    private record End(int inputs, Throwable failure) {
    }

    private final Pool pool;
    private final Loop loop;
    private final Function<? super A, ? extends R> fn;
    private final Iterator<? extends A> inputs;
    private final boolean ordered;
    private final Semaphore heldResults;
    private final Queue<Object> outcomes = new Queue<>();
    private final List<Greenlet<Outcome>> workers = new ArrayList<>();
    private final ArrayDeque<Outcome> inCompletionOrder = new ArrayDeque<>();
    private final Map<Integer, Outcome> byIndex = new HashMap<>();
    private Greenlet<Void> feeder;
    private int total = -1;
    private Throwable feederFailure;
    private int delivered;

    /** {@code maxsize} {@link Integer#MAX_VALUE}: no bound on results held. */
    MapRun(Pool pool, Loop loop, Function<? super A, ? extends R> fn, Iterator<? extends A> inputs, boolean ordered, int maxsize) {
        this.pool = pool;
        this.loop = loop;
        this.fn = fn;
        this.inputs = inputs;
        this.ordered = ordered;
        this.heldResults = maxsize == Integer.MAX_VALUE ? null : new Semaphore(maxsize);
    }

    MapRun<A, R> start() {
        feeder = loop.spawn(this::feed);
        return this;
    }

    Greenlet<Void> feeder() {
        return feeder;
    }

    private void feed() {
        int index = 0;
        try {
            // hasNext() first, so that the feeder is done as soon as the last input is out.
            while (inputs.hasNext()) {
                if (heldResults != null) {
                    heldResults.acquire();
                }
                pool.acquireSlot();
                A item;
                try {
                    item = inputs.next();
                } catch (Throwable e) {
                    pool.releaseSlot();
                    throw e;
                }
                spawnWorker(index++, item);
            }
        } catch (GreenletExit e) {
            throw e;
        } catch (Throwable e) {
            outcomes.offer(new End(index, e));
            return;
        }
        outcomes.offer(new End(index, null));
    }

    private void spawnWorker(int index, A item) {
        Greenlet<Outcome> worker = pool.spawnInSlot(loop, () -> {
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

    /** Waits for every result and returns them in item order; rethrows the first failure, in completion order. */
    @SuppressWarnings("unchecked")
    List<R> awaitAll() {
        List<Object> results = new ArrayList<>();
        while (hasMore()) {
            if (inCompletionOrder.isEmpty()) {
                next();  // only the feeder's failure is left: this throws it
            }
            Outcome outcome = deliver(inCompletionOrder.poll());
            while (results.size() <= outcome.index()) {
                results.add(null);
            }
            results.set(outcome.index(), outcome.value());
        }
        return (List<R>) results;
    }

    /** Whether another result (or failure) is to come; parks until that is known. */
    boolean hasMore() {
        while (true) {
            if (ordered ? byIndex.containsKey(delivered) : !inCompletionOrder.isEmpty()) {
                return true;
            }
            if (total >= 0 && (delivered == total || feederFailure != null)) {
                return feederFailure != null;
            }
            Object next = outcomes.take();
            if (next instanceof End end) {
                total = end.inputs();
                feederFailure = end.failure();
            } else if (ordered) {
                Outcome outcome = (Outcome) next;
                byIndex.put(outcome.index(), outcome);
            } else {
                inCompletionOrder.add((Outcome) next);
            }
        }
    }

    /** The next result; parks until there is one, rethrows it when it is a failure. */
    @SuppressWarnings("unchecked")
    R next() {
        if (!hasMore()) {
            throw new NoSuchElementException("all " + delivered + " results have been returned");
        }
        Outcome outcome = ordered ? byIndex.remove(delivered) : inCompletionOrder.poll();
        if (outcome == null) {
            Throwable failure = feederFailure;
            feederFailure = null;
            total = delivered;
            throw Strand.unchecked(failure);
        }
        return (R) deliver(outcome).value();
    }

    private Outcome deliver(Outcome outcome) {
        delivered++;
        if (heldResults != null) {
            heldResults.release();
        }
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

    /** The results as an {@code Iterable} that can be iterated once. */
    Iterable<R> once(String what) {
        boolean[] iterated = {false};
        return () -> {
            if (iterated[0]) {
                throw new IllegalStateException("the results of " + what + " can be iterated once; call it again to rerun");
            }
            iterated[0] = true;
            return new Iterator<R>() {
                @Override
                public boolean hasNext() {
                    return MapRun.this.hasMore();
                }

                @Override
                public R next() {
                    return MapRun.this.next();
                }
            };
        };
    }
}
