package io.greenloop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A set of greenlets with bounded concurrency, gevent's {@code pool.Pool}: {@link #spawn} parks while
 * {@code size} greenlets of the pool are running (first parked, first served), and each greenlet leaves
 * the pool when it finishes. {@link #map} and {@link #imapUnordered} run a function over items in the
 * pool. {@link Group} is the same without a bound.
 *
 * <p>Failures in {@link #map} and {@link #imapUnordered}: an unchecked exception or error thrown by the
 * function is rethrown as it is; a checked one (thrown sneakily) is wrapped in a
 * {@link CompletionException}; an item whose greenlet was killed by someone else (say
 * {@link #kill()}) comes out as a {@link CancellationException}.
 *
 * <p>Thread rule: it belongs to the loop that first uses it; use it inside that loop's greenlets or on
 * its owner thread (where a blocking call drives the loop). Other threads get an
 * {@link IllegalStateException}.
 */
public final class Pool {

    private final LoopBinding binding = new LoopBinding();
    private final Semaphore slots;
    private final int size;
    private final Set<Greenlet<?>> greenlets = new LinkedHashSet<>();
    private final Event empty = new Event();
    /** The feeders of this pool's map and imap calls still pulling inputs: {@link #kill()} stops them first. */
    private final Set<Greenlet<?>> feeders = new LinkedHashSet<>();

    /**
     * A pool that runs at most {@code size} (1 or more) greenlets at once.
     *
     * @param size how many greenlets run at once at most
     */
    public Pool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool's size must be 1 or more, not " + size
                    + " (a pool of 0 could never run anything); use a Group for no limit");
        }
        this.size = size;
        this.slots = new Semaphore(size);
        empty.set();
    }

    private Pool() {
        this.size = Integer.MAX_VALUE;
        this.slots = null;
        empty.set();
    }

    /** The pool behind a {@link Group}: no limit, so spawning never parks. */
    static Pool unbounded() {
        return new Pool();
    }

    /**
     * Starts {@code body} in a new greenlet of the pool, first parking while the pool is full (FIFO with
     * other spawners). Honours kill and {@link Timeout} while it parks.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public <T> Greenlet<T> spawn(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        Loop loop = binding.check(this, "Pool.spawn");
        acquireSlot();
        return spawnInSlot(loop, body);
    }

    /** Parks until a slot is free and takes it (first parked, first served); {@link #spawnInSlot} or {@link #releaseSlot} follows. */
    void acquireSlot() {
        if (slots != null) {
            slots.acquire();
        }
    }

    void releaseSlot() {
        if (slots != null) {
            slots.release();
        }
    }

    /** Spawns {@code body} into the slot the caller took with {@link #acquireSlot()}. */
    <T> Greenlet<T> spawnInSlot(Loop loop, Callable<T> body) {
        Greenlet<T> greenlet;
        try {
            greenlet = loop.spawn(body);
        } catch (RuntimeException | Error e) {
            releaseSlot();
            throw e;
        }
        adopt(greenlet);
        return greenlet;
    }

    /**
     * Starts {@code body} in a new greenlet of the pool, parking while the pool is full.
     *
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public Greenlet<Void> spawn(CheckedRunnable body) {
        Objects.requireNonNull(body, "body");
        return spawn(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Adds a greenlet spawned elsewhere to the pool, gevent's {@code Pool.add}: parks while the pool is
     * full, then the greenlet takes a slot until it finishes (or is {@link #discard}ed). Adding one that
     * is in the pool already does nothing.
     *
     * @param greenlet the greenlet
     */
    public void add(Greenlet<?> greenlet) {
        Objects.requireNonNull(greenlet, "greenlet");
        binding.check(this, "Pool.add");
        if (greenlets.contains(greenlet)) {
            return;
        }
        if (slots != null) {
            slots.acquire();
        }
        adopt(greenlet);
    }

    private void adopt(Greenlet<?> greenlet) {
        greenlets.add(greenlet);
        empty.clear();
        greenlet.link(this::discard);
    }

    /**
     * Takes {@code greenlet} out of the pool (it keeps running) and frees its slot; not in the pool: nothing happens.
     *
     * @param greenlet the greenlet
     */
    public void discard(Greenlet<?> greenlet) {
        binding.check(this, "Pool.discard");
        if (greenlets.remove(greenlet)) {
            releaseSlot();
            if (greenlets.isEmpty()) {
                empty.set();
            }
        }
    }

    /**
     * How many more greenlets could be spawned now without parking. Never parks.
     *
     * @return how many more greenlets could be spawned now without parking
     */
    public int freeCount() {
        return slots == null ? Integer.MAX_VALUE : slots.available();
    }

    /**
     * Whether spawning now would park: no slot is free. Never parks.
     *
     * @return whether spawning now would park: no slot is free
     */
    public boolean full() {
        return freeCount() <= 0;
    }

    /**
     * Parks until a slot is free or {@code timeout} passes ({@code null}: no limit), gevent's
     * {@code wait_available}; returns {@link #freeCount()}. Honours kill and {@link Timeout}.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the number of free slots
     */
    public int waitAvailable(Duration timeout) {
        binding.check(this, "Pool.waitAvailable");
        if (slots != null && !slots.ready()) {
            Green.waitAll(List.of(slots), timeout, 1);
        }
        return freeCount();
    }

    /**
     * Runs {@code body} in a greenlet of the pool (parking while it is full), waits for it and returns its
     * value or rethrows its very exception, gevent's {@code Pool.apply}. Called from a greenlet of this pool,
     * it runs {@code body} right there, since waiting for a slot held by the caller could deadlock.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return what {@code body} returned
     * @throws Exception what {@code body} threw
     */
    public <T> T apply(Callable<T> body) throws Exception {
        Objects.requireNonNull(body, "body");
        binding.check(this, "Pool.apply");
        if (greenlets.contains(Green.current())) {
            return body.call();
        }
        Throwable[] failure = new Throwable[1];
        Greenlet<T> greenlet = spawn(() -> {
            try {
                return body.call();
            } catch (GreenletExit e) {
                throw e;
            } catch (Throwable e) {
                failure[0] = e;  // the caller gets it; the loop's error handler must not log it too
                return null;
            }
        });
        greenlet.join();
        if (failure[0] != null) {
            throw Strand.<Exception>sneaky(failure[0]);
        }
        return greenlet.value();
    }

    /**
     * Its size: the most greenlets it runs at once.
     *
     * @return its size: the most greenlets it runs at once
     */
    public int size() {
        return size;
    }

    /**
     * How many of its greenlets are running (or about to). Never parks.
     *
     * @return how many of its greenlets are running (or about to)
     */
    public int count() {
        return greenlets.size();
    }

    /**
     * A snapshot of its greenlets, in spawn order.
     *
     * @return a snapshot of its greenlets, in spawn order
     */
    public List<Greenlet<?>> greenlets() {
        return List.copyOf(greenlets);
    }

    /** Waits until it has no greenlet running. Honours kill and {@link Timeout}. */
    public void join() {
        join(null);
    }

    /**
     * Waits until it has no greenlet running or {@code timeout} passes ({@code null}: no limit); {@code true} when
     * empty.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when empty
     */
    public boolean join(Duration timeout) {
        binding.check(this, "Pool.join");
        return empty.await(timeout);
    }

    /**
     * Kills every greenlet of the pool at once (as {@link Green#killAll}) and waits until they are dead,
     * again while more are spawned meanwhile (say by a {@link #map} still feeding it), until the pool is
     * empty. A caller that is one of its greenlets is killed last.
     */
    public void kill() {
        binding.check(this, "Pool.kill");
        Green.killAll(List.copyOf(feeders));  // or an endless imap would go on filling the pool
        Greenlet<?> self = Green.current();
        boolean killSelf = false;
        for (List<Greenlet<?>> victims = new ArrayList<>(greenlets); ; victims = new ArrayList<>(greenlets)) {
            killSelf |= victims.remove(self);
            if (victims.isEmpty()) {
                break;
            }
            try {
                Green.killAll(victims);
            } finally {
                // Their links will discard them too, later; the pool is empty as soon as kill() returns.
                victims.stream().filter(Greenlet::ready).forEach(this::discard);
            }
        }
        if (killSelf) {
            throw new GreenletExit("killed by Pool.kill(), after the rest of its pool");
        }
    }

    /**
     * Applies {@code fn} to every item in greenlets of this pool, and returns the results in the order of
     * {@code items} (a new list). The first failure (in completion order) is rethrown after the other
     * greenlets of this call are killed; see the class comment for its type. A kill or {@link Timeout} of
     * the caller kills them too.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @return the results, in the order of {@code items}
     */
    public <A, R> List<R> map(Function<? super A, ? extends R> fn, Collection<? extends A> items) {
        MapRun<A, R> run = this.<A, R>start(fn, items, false, Integer.MAX_VALUE);
        boolean complete = false;
        try {
            List<R> results = run.awaitAll();
            complete = true;
            return results;
        } finally {
            if (!complete) {
                run.cancel();
            }
        }
    }

    /**
     * Applies {@code fn} to every item in greenlets of this pool, at once, and yields the results in the
     * order they finish. The iterator's {@code next()} parks until the next result; a failure is thrown
     * from the {@code next()} that reaches it, and iteration may go on past it, as in gevent. Greenlets of
     * an abandoned iteration keep running ({@link #kill()} stops them). Iterable once.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @return the results, in the order they finish
     */
    public <A, R> Iterable<R> imapUnordered(Function<? super A, ? extends R> fn, Collection<? extends A> items) {
        return imapUnordered(fn, items, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #imapUnordered(Function, Collection)} over any {@code Iterable}, pulled lazily (an input
     * only once a slot is free), with at most {@code maxsize} results running or finished and not yet
     * consumed: a slow consumer holds back the producer (gevent's {@code imap_unordered(maxsize=)}).
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @param maxsize how many finished results are held at most for a slow consumer
     * @return the results, in the order they finish
     */
    public <A, R> Iterable<R> imapUnordered(Function<? super A, ? extends R> fn, Iterable<? extends A> items, int maxsize) {
        return this.<A, R>start(fn, items, false, checkMaxsize(maxsize)).once("imapUnordered");
    }

    /**
     * Applies {@code fn} to each item in greenlets of this pool and yields the results in input order,
     * lazily: inputs are pulled as slots free up (at most {@link #size()} run), so {@code items} may be
     * endless. A result that finishes early waits for those before it; a failure is thrown from the
     * {@code next()} that reaches it. gevent's {@code imap}. Iterable once.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @return the results, in input order
     */
    public <A, R> Iterable<R> imap(Function<? super A, ? extends R> fn, Iterable<? extends A> items) {
        return imap(fn, items, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #imap(Function, Iterable)}, with at most {@code maxsize} results running or held for the consumer.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @param maxsize how many finished results are held at most for a slow consumer
     * @return the results, in input order
     */
    public <A, R> Iterable<R> imap(Function<? super A, ? extends R> fn, Iterable<? extends A> items, int maxsize) {
        return this.<A, R>start(fn, items, true, checkMaxsize(maxsize)).once("imap");
    }

    private static int checkMaxsize(int maxsize) {
        if (maxsize < 1) {
            throw new IllegalArgumentException("maxsize must be 1 or more, not " + maxsize + " (results held for the consumer)");
        }
        return maxsize;
    }

    private <A, R> MapRun<A, R> start(Function<? super A, ? extends R> fn, Iterable<? extends A> items, boolean ordered, int maxsize) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        Loop loop = binding.check(this, "Pool.map");
        MapRun<A, R> run = new MapRun<A, R>(this, loop, fn, items.iterator(), ordered, maxsize).start();
        feeders.add(run.feeder());
        run.feeder().link(feeders::remove);
        return run;
    }

    @Override
    public String toString() {
        return (slots == null ? "Group[" : "Pool[size " + size + ", ") + greenlets.size() + " running]";
    }
}
