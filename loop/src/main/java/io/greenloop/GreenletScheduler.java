package io.greenloop;

import io.greenloop.internal.GreenletThreads;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The scheduler of a loop's virtual threads (its greenlets, and the plain virtual threads started inside them,
 * which inherit it), and the maker of its greenlets and their threads. The JDK hands it each continuation to run, a first
 * run or a resume after a park, from whichever thread ended the park; it queues them on its loop as wake-ups
 * ({@link Loop#handOff}), which the bound on users' pending callbacks never refuses: a refused continuation would
 * leave its greenlet parked for ever. A class of its own, not the loop, so that a user's {@link Loop#execute} and
 * the JDK's submission are told apart.
 *
 * <p>Thread rule: {@link #execute} on any thread; the rest on the loop's thread.
 */
final class GreenletScheduler implements Executor {

    final Loop loop;
    private final LoopShared shared;
    private final Thread.Builder.OfVirtual threads;
    private long greenletsMade;

    GreenletScheduler(Loop loop, LoopShared shared) {
        this.loop = loop;
        this.shared = shared;
        this.threads = GreenletThreads.builder(this);
    }

    /** Queues {@code continuation} on the loop; throws {@link java.util.concurrent.RejectedExecutionException} once it is closed. */
    @Override
    public void execute(Runnable continuation) {
        loop.handOff(continuation);
    }

    /**
     * A greenlet of {@code body}, a {@link java.util.concurrent.Callable} or a {@link CheckedRunnable}, not started
     * yet, held as it is: wrapping a runnable in a callable would cost every greenlet an object of its whole life.
     */
    <T> Greenlet<T> newGreenlet(Object body) {
        Objects.requireNonNull(body, "body");
        loop.thread.require("spawn");
        requireOpen();
        // Named after its loop too, so that names are unique in the JVM: a thread dump of two loops shows two Greenlet-0s otherwise.
        return new Greenlet<>(loop, body, "Greenlet-" + greenletsMade++ + "@" + loop.stats.name());
    }

    /** The virtual thread of {@code strand}'s greenlet, called {@code name}, scheduled here, not started yet. */
    Thread newThread(String name, Strand strand) {
        requireOpen();
        Thread thread = threads.name(name).unstarted(strand);
        thread.setUncaughtExceptionHandler(strand);  // how the thread finds its strand: Strand.current()
        return thread;
    }

    private void requireOpen() {
        if (shared.isClosed()) {
            throw new IllegalStateException(loop + " is closed");
        }
    }
}
