package io.greenloop;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A set of greenlets run and awaited together, gevent's {@code pool.Group}: a {@link Pool} without a
 * bound, so {@link #spawn} never parks. Each greenlet leaves the group when it finishes; {@link #join()}
 * waits until none is left, {@link #kill()} kills them all. {@link #map} and {@link #imapUnordered} behave
 * as {@link Pool}'s, with every item running at once.
 *
 * <p>Thread rule: it belongs to the loop that first uses it; use it inside that loop's greenlets or on
 * its owner thread. Other threads get an {@link IllegalStateException}.
 */
public final class Group {

    private final Pool pool = Pool.unbounded();

    /** An empty group. */
    public Group() {
    }

    /**
     * Starts {@code body} in a new greenlet of the group. Never parks.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public <T> Greenlet<T> spawn(Callable<T> body) {
        return pool.spawn(body);
    }

    /**
     * Starts {@code body} in a new greenlet of the group. Never parks.
     *
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public Greenlet<Void> spawn(CheckedRunnable body) {
        return pool.spawn(body);
    }

    /**
     * How many of its greenlets are running (or about to). Never parks.
     *
     * @return how many of its greenlets are running (or about to)
     */
    public int count() {
        return pool.count();
    }

    /**
     * A snapshot of its greenlets, in spawn order.
     *
     * @return a snapshot of its greenlets, in spawn order
     */
    public List<Greenlet<?>> greenlets() {
        return pool.greenlets();
    }

    /** Waits until it has no greenlet running. Honours kill and {@link Timeout}. */
    public void join() {
        pool.join();
    }

    /**
     * Waits until it has no greenlet running or {@code timeout} passes ({@code null}: no limit); {@code true} when
     * empty.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when empty
     */
    public boolean join(Duration timeout) {
        return pool.join(timeout);
    }

    /** Kills every greenlet of the group at once and waits until it is empty; a caller that is one of them is killed last. */
    public void kill() {
        pool.kill();
    }

    /**
     * As {@link Pool#map}: the results in item order; the first failure is rethrown after the others are killed.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @return the results, in the order of {@code items}
     */
    public <A, R> List<R> map(Function<? super A, ? extends R> fn, Collection<? extends A> items) {
        return pool.map(fn, items);
    }

    /**
     * As {@link Pool#imapUnordered}: the results in the order they finish.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @return the results, in the order they finish
     */
    public <A, R> Iterable<R> imapUnordered(Function<? super A, ? extends R> fn, Collection<? extends A> items) {
        return pool.imapUnordered(fn, items);
    }

    /**
     * As {@link Pool#imapUnordered(Function, Iterable, int)}: lazily, with at most {@code maxsize} results held.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @param maxsize how many finished results are held at most for a slow consumer
     * @return the results, in the order they finish
     */
    public <A, R> Iterable<R> imapUnordered(Function<? super A, ? extends R> fn, Iterable<? extends A> items, int maxsize) {
        return pool.imapUnordered(fn, items, maxsize);
    }

    /**
     * As {@link Pool#imap(Function, Iterable)}: the results in input order, lazily.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @return the results, in input order
     */
    public <A, R> Iterable<R> imap(Function<? super A, ? extends R> fn, Iterable<? extends A> items) {
        return pool.imap(fn, items);
    }

    /**
     * As {@link Pool#imap(Function, Iterable, int)}: in input order, with at most {@code maxsize} results held.
     *
     * @param <A> the type of the inputs
     * @param <R> the type of the results
     * @param fn the function applied to each item, in a greenlet
     * @param items the inputs
     * @param maxsize how many finished results are held at most for a slow consumer
     * @return the results, in input order
     */
    public <A, R> Iterable<R> imap(Function<? super A, ? extends R> fn, Iterable<? extends A> items, int maxsize) {
        return pool.imap(fn, items, maxsize);
    }

    /**
     * As {@link Pool#apply}: runs {@code body} in a greenlet of the group, waits, rethrows its own exception.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return what {@code body} returned
     * @throws Exception what {@code body} threw
     */
    public <T> T apply(Callable<T> body) throws Exception {
        return pool.apply(body);
    }

    /**
     * Adds a greenlet spawned elsewhere; it leaves the group when it finishes. Never parks.
     *
     * @param greenlet the greenlet
     */
    public void add(Greenlet<?> greenlet) {
        pool.add(greenlet);
    }

    /**
     * Takes {@code greenlet} out of the group; it keeps running.
     *
     * @param greenlet the greenlet
     */
    public void discard(Greenlet<?> greenlet) {
        pool.discard(greenlet);
    }

    /**
     * Always {@code false}: a group has no bound.
     *
     * @return {@code false}
     */
    public boolean full() {
        return false;
    }

    /**
     * Returns at once with {@link Integer#MAX_VALUE}: a group always has room (as gevent's {@code
     * Group.wait_available}).
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return at once with {@link Integer#MAX_VALUE}
     */
    public int waitAvailable(Duration timeout) {
        return pool.waitAvailable(timeout);
    }

    @Override
    public String toString() {
        return pool.toString();
    }
}
