package io.greenloop;

import java.util.concurrent.Executor;

/**
 * The scheduler of a loop's virtual threads (its greenlets, and the plain virtual threads started inside them,
 * which inherit it): the JDK hands it each continuation to run, a first run or a resume after a park, from
 * whichever thread ended the park. It queues them on its loop as wake-ups ({@link Loop#handOff}), which the
 * bound on users' pending callbacks never refuses: a refused continuation would leave its greenlet parked for
 * ever. A class of its own, not the loop, so that a user's {@link Loop#execute} and the JDK's submission are
 * told apart. Thread-safe.
 */
final class GreenletScheduler implements Executor {

    final Loop loop;

    GreenletScheduler(Loop loop) {
        this.loop = loop;
    }

    /** Queues {@code continuation} on the loop; throws {@link java.util.concurrent.RejectedExecutionException} once it is closed. */
    @Override
    public void execute(Runnable continuation) {
        loop.handOff(continuation);
    }
}
