package io.greenloop;

import io.greenloop.internal.Deadline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * gevent's module functions: each acts on the calling thread's loop (the one it opened, the one of the
 * greenlet or greenlet-started virtual thread it is, or a default loop opened on first use, as gevent's
 * {@code get_hub()}). Blocking functions park a greenlet and drive the loop on its owner thread. A
 * {@code null} timeout means no limit.
 */
public final class Green {

    private Green() {
    }

    /**
     * Starts {@code body} in a new greenlet on the calling thread's loop.
     *
     * @param <T> the type of the value
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public static <T> Greenlet<T> spawn(Callable<T> body) {
        return Loop.current().spawn(body);
    }

    /**
     * Starts {@code body} in a new greenlet on the calling thread's loop.
     *
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public static Greenlet<Void> spawn(CheckedRunnable body) {
        return Loop.current().spawn(body);
    }

    /**
     * Starts {@code body} in a new greenlet after {@code delay}; until then it is pending, and a kill stops it from
     * ever running.
     *
     * @param <T> the type of the value
     * @param delay how long from now
     * @param body the code to run in the greenlet
     * @return the new greenlet
     */
    public static <T> Greenlet<T> spawnLater(Duration delay, Callable<T> body) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(body, "body");
        return spawn(() -> {
            sleep(delay);
            return body.call();
        });
    }

    /**
     * Waits until every greenlet has finished; returns them in completion order.
     *
     * @param greenlets the greenlets
     * @return the greenlets, in the order they finished
     */
    public static List<Greenlet<?>> joinAll(Collection<? extends Greenlet<?>> greenlets) {
        return joinAll(greenlets, null);
    }

    /**
     * Waits until every greenlet has finished or {@code timeout} passed; returns the finished ones, in completion
     * order.
     *
     * @param greenlets the greenlets
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the finished greenlets, in the order they finished
     */
    public static List<Greenlet<?>> joinAll(Collection<? extends Greenlet<?>> greenlets, Duration timeout) {
        return joinAll(greenlets, timeout, false);
    }

    /**
     * Like {@link #joinAll(Collection, Duration)}; with {@code raiseError}, as soon as one fails (a kill
     * with {@link GreenletExit} is no failure) stop waiting and throw its failure: an unchecked one as it
     * is, a checked one wrapped in a {@link CompletionException}. gevent's {@code joinall(raise_error=True)}.
     *
     * @param greenlets the greenlets
     * @param timeout how long to wait at most; {@code null}: no limit
     * @param raiseError whether the first failure ends the wait and is thrown
     * @return the finished greenlets, in the order they finished
     */
    public static List<Greenlet<?>> joinAll(Collection<? extends Greenlet<?>> greenlets, Duration timeout, boolean raiseError) {
        Objects.requireNonNull(greenlets, "greenlets");
        List<Greenlet<?>> all = new ArrayList<>(greenlets);
        List<Greenlet<?>> finished = new ArrayList<>(all.size());
        Strand.resolve();
        if (raiseError) {
            ReadyIterator<Greenlet<?>> each = new ReadyIterator<>(all, timeout);
            while (each.hasNext()) {
                Greenlet<?> done = each.next();
                if (!done.successful()) {
                    each.abandon();
                    throw Strand.unchecked(done.exception());
                }
                finished.add(done);
            }
        } else if (all.contains(current())) {
            // Waiting for itself (or a null, which waitAll names): join would refuse, waitAll waits as gevent does.
            finished.addAll(waitAll(all, timeout));
        } else {
            joinEach(all, timeout);
            for (Greenlet<?> greenlet : all) {
                if (greenlet.ready()) {
                    finished.add(greenlet);
                }
            }
        }
        finished.sort(Comparator.comparingLong(Greenlet::completionNumber));
        return finished;
    }

    /**
     * Joins each greenlet in turn until {@code timeout} ({@code null}: no limit) passes. While the caller
     * waits for one, the loop runs them all, so most are finished by the time their turn comes and cost
     * nothing: no link or callback per greenlet, as {@link #waitAll} would make.
     */
    private static void joinEach(List<Greenlet<?>> all, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        for (Greenlet<?> greenlet : all) {
            if (!greenlet.ready() && (deadline.passed() || !greenlet.join(deadline.remaining()))) {
                return;
            }
        }
    }

    /**
     * Waits until every object is ready or {@code timeout} passed ({@code null}: no limit), gevent's
     * {@code wait(objects, timeout)}; returns the ready ones, those ready already first, then in the order
     * they became ready.
     *
     * @param <W> the type of the objects waited for
     * @param objects the objects to wait for
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the ready objects: those ready already first, then in the order they became ready
     */
    public static <W extends Waitable> List<W> waitAll(Collection<W> objects, Duration timeout) {
        Objects.requireNonNull(objects, "objects");
        return waitAll(objects, timeout, objects.size());
    }

    /**
     * Waits until {@code count} of the objects are ready (all of them when there are fewer), or
     * {@code timeout} passed ({@code null}: no limit), gevent's {@code wait(objects, timeout, count)};
     * returns at most {@code count} ready ones, those ready already first, then in the order they became ready.
     *
     * @param <W> the type of the objects waited for
     * @param objects the objects to wait for
     * @param timeout how long to wait at most; {@code null}: no limit
     * @param count how many
     * @return at most {@code count} ready objects, in the order they became ready
     */
    public static <W extends Waitable> List<W> waitAll(Collection<W> objects, Duration timeout, int count) {
        Objects.requireNonNull(objects, "objects");
        if (count < 0) {
            throw new IllegalArgumentException("waitAll() count must be 0 or more, not " + count);
        }
        Strand.resolve();  // a loop-bound call: on a thread with no loop, open its default one (see Strand)
        int target = Math.min(count, objects.size());
        List<W> readyOnes = new ArrayList<>(target);
        List<W> notReady = new ArrayList<>();
        for (W object : objects) {
            Objects.requireNonNull(object, "waitAll() got a null object to wait for");
            (object.ready() ? readyOnes : notReady).add(object);
        }
        if (readyOnes.size() >= target) {
            return new ArrayList<>(readyOnes.subList(0, target));
        }
        Waiter<Void> enoughReady = new Waiter<>("waitAll() of " + notReady.size() + " objects");
        List<Cancellable> links = new ArrayList<>(notReady.size());
        try {
            for (W object : notReady) {
                links.add(object.onReady(() -> {
                    if (readyOnes.size() < target) {
                        readyOnes.add(object);
                        if (readyOnes.size() == target) {
                            enoughReady.wake(null);
                        }
                    }
                }));
            }
            enoughReady.await(timeout);
        } finally {
            links.forEach(Cancellable::cancel);
        }
        return readyOnes;
    }

    /**
     * Yields each object as it becomes ready, gevent's {@code iwait}: those ready already first, then the
     * others in the order they become ready, until all are yielded or {@code timeout} passes ({@code null}:
     * no limit), counted from the start of the iteration. The iterator's {@code hasNext()} parks (and
     * honours kill and {@link Timeout}); each {@code iterator()} call starts a new wait, on the loop's
     * thread. Links left by an iteration abandoned early go when their objects become ready.
     *
     * @param <W> the type of the objects waited for
     * @param objects the objects to wait for
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the objects, each yielded as it becomes ready
     */
    public static <W extends Waitable> Iterable<W> iwait(Collection<W> objects, Duration timeout) {
        Objects.requireNonNull(objects, "objects");
        List<W> snapshot = new ArrayList<>(objects);
        for (W object : snapshot) {
            Objects.requireNonNull(object, "iwait() got a null object to wait for");
        }
        return () -> new ReadyIterator<>(snapshot, timeout);
    }

    /**
     * Kills the greenlets all at once, gevent's {@code killall}: raises {@link GreenletExit} in each at its
     * current or next blocking point, then waits until all are dead. When the caller is one of them, the
     * others are killed and awaited first, then it is killed itself. Loop thread only.
     *
     * @param greenlets the greenlets
     */
    public static void killAll(Collection<? extends Greenlet<?>> greenlets) {
        killAll(greenlets, null);
    }

    /**
     * Like {@link #killAll(Collection)}, but waits at most {@code timeout} ({@code null}: no limit) for them
     * to die; {@code true} when all are dead, {@code false} when some still run (they caught the kill).
     *
     * @param greenlets the greenlets
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return {@code true} when all are dead
     */
    public static boolean killAll(Collection<? extends Greenlet<?>> greenlets, Duration timeout) {
        Objects.requireNonNull(greenlets, "greenlets");
        List<Greenlet<?>> all = new ArrayList<>(greenlets);
        for (Greenlet<?> greenlet : all) {
            Objects.requireNonNull(greenlet, "killAll() got a null greenlet");
        }
        Strand.resolve();
        Greenlet<?> self = current();
        List<Greenlet<?>> victims = new ArrayList<>(all.size());
        boolean killSelf = false;
        for (Greenlet<?> greenlet : all) {
            if (greenlet == self) {
                killSelf = true;
            } else if (!greenlet.ready()) {
                greenlet.kill(new GreenletExit(), false, null);
                victims.add(greenlet);
            }
        }
        boolean allDead = waitAll(victims, timeout).size() == victims.size();
        if (killSelf) {
            throw new GreenletExit("killed by killAll(), after the others");
        }
        return allDead;
    }

    /**
     * Runs the calling thread's loop until nothing at all is pending, gevent's {@code wait()}: no live
     * greenlet that can run, no timer, no I/O wait, no thread-pool task or child process. On the owner
     * thread only: inside a greenlet it would wait for itself.
     */
    public static void waitAll() {
        Strand strand = Strand.resolve();
        if (!strand.isOwner()) {
            throw new IllegalStateException("Green.waitAll() inside a greenlet would wait for that greenlet itself; "
                    + "call it on the loop's thread, or join the greenlets you mean");
        }
        strand.loop.run();
    }

    /**
     * Pauses the caller for {@code duration}; zero or less is {@link #sleep()}. Other greenlets, timers and
     * I/O run meanwhile.
     *
     * @param duration how long to pause
     */
    public static void sleep(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isZero() || duration.isNegative()) {
            sleep();
            return;
        }
        new Waiter<Void>("sleep(" + duration + ")").await(duration);
    }

    /**
     * Lets every other ready greenlet run once, FIFO, then continues (gevent's {@code sleep(0)}); the loop
     * still fires timers and polls I/O every few passes, even while greenlets spin on it.
     */
    public static void sleep() {
        Strand strand = Strand.resolve();
        strand.raisePending();
        if (strand.isOwner()) {
            strand.loop.thread.checkCanDrive("sleep()");
            strand.loop.runOnce(false);
        } else {
            // The JDK re-submits a yielding virtual thread to its scheduler: the tail of our ready queue.
            Thread.yield();
        }
        strand.raisePending();
    }

    /**
     * The calling greenlet, or {@code null} outside greenlets.
     *
     * @return the calling greenlet, or {@code null} outside greenlets
     */
    public static Greenlet<?> current() {
        Strand strand = Strand.current();
        return strand == null ? null : strand.greenlet;
    }

    /**
     * The calling thread's loop, made on first use.
     *
     * @return the calling thread's loop, made on first use
     */
    public static Loop loop() {
        return Loop.current();
    }

    /**
     * Runs {@code body} with a {@link Timeout} of {@code timeout} ({@code null}: no limit, it just runs);
     * throws {@link Timeout.Expired} when it passes. Unchecked exceptions from the body propagate as they
     * are, checked ones wrapped in a {@link CompletionException}.
     *
     * @param <T> the type of the value
     * @param timeout how long to wait at most; {@code null}: no limit
     * @param body the code to run in the greenlet
     * @return what {@code body} returned
     */
    public static <T> T withTimeout(Duration timeout, Callable<T> body) {
        Objects.requireNonNull(body, "body");
        Timeout deadline = Timeout.start(timeout);
        try {
            return callWithin(deadline, body);
        } finally {
            deadline.close();
        }
    }

    /**
     * Like {@link #withTimeout(Duration, Callable)}, but returns {@code fallback} when this call's own
     * timeout expires, gevent's {@code with_timeout(timeout_value=)}; an outer {@link Timeout} still
     * propagates as {@link Timeout.Expired}.
     *
     * @param <T> the type of the value
     * @param timeout how long to wait at most; {@code null}: no limit
     * @param body the code to run in the greenlet
     * @param fallback what to return when this call's timeout expires
     * @return what {@code body} returned, or {@code fallback}
     */
    public static <T> T withTimeout(Duration timeout, Callable<T> body, T fallback) {
        Objects.requireNonNull(body, "body");
        Timeout deadline = Timeout.start(timeout);
        try {
            return callWithin(deadline, body);
        } catch (Timeout.Expired e) {
            if (e.timeout() == deadline) {
                return fallback;
            }
            throw e;
        } finally {
            deadline.close();
        }
    }

    private static <T> T callWithin(Timeout deadline, Callable<T> body) {
        try {
            return body.call();
        } catch (Timeout.Expired e) {
            throw e;
        } catch (Throwable e) {
            if (deadline.firedUnraised()) {
                // The expiry interrupted a JDK blocking call, which threw its own exception instead.
                Thread.interrupted();
                Timeout.Expired expired = deadline.expired();
                expired.addSuppressed(e);
                throw expired;
            }
            throw Strand.unchecked(e);
        }
    }

    /**
     * A report of every open loop in this JVM (owner thread, transport, the owner's stack) and every live
     * greenlet on each: its name, state (running, ready, or parked and on what) and stack, gevent's
     * {@code util.format_run_info}. Safe from any thread, e.g. a diagnostics endpoint; never waits on a loop.
     *
     * @return a report of every open loop in this JVM
     */
    public static String formatRunInfo() {
        return RunInfo.format();
    }
}
