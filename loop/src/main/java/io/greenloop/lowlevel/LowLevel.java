package io.greenloop.lowlevel;

import io.greenloop.Loop;
import io.greenloop.internal.LoopAccess;
import io.greenloop.spi.Transport;

import java.util.Objects;

/**
 * What code that builds new waitable objects on a loop needs and applications do not: the loop's transport,
 * the loop-thread check and the hand-off that wakes a parked greenlet (as Trio's {@code trio.lowlevel}). {@code io.greenloop.net} and
 * {@code io.greenloop.process} are written with these; an application using greenlets, sockets and
 * synchronization never needs them. Each method's thread rule is its own.
 */
public final class LowLevel {

    private LowLevel() {
    }

    /**
     * The transport {@code loop} polls, to open sockets on it.
     *
     * @param loop the loop whose transport is wanted
     * @return its transport; use it only on the loop's thread
     * @throws IllegalStateException when called off the loop's thread (the owner or one of its greenlets)
     */
    public static Transport transport(Loop loop) {
        Objects.requireNonNull(loop, "loop");
        return LoopAccess.get().transport(loop);
    }

    /**
     * Checks that the caller is {@code loop}'s owner thread or one of its greenlets, for loop-bound objects.
     *
     * @param loop      the loop the object belongs to
     * @param operation what was called, for the message
     * @throws IllegalStateException naming {@code operation}, the loop and its owner, when called from another thread
     */
    public static void requireLoopThread(Loop loop, String operation) {
        Objects.requireNonNull(loop, "loop");
        LoopAccess.get().requireLoopThread(loop, operation);
    }

    /**
     * Runs {@code callback} on {@code loop} soon, as {@link Loop#execute} does, but never refused for the loop's
     * bound on pending callbacks ({@link Loop.Options#withMaxPendingCallbacks}): for what a parked greenlet waits
     * for (a result from another thread, a chunk of a pipe), which must reach it however busy the loop is.
     * Thread-safe; never waits.
     *
     * @param loop     the loop to run it on
     * @param callback what to run on the loop's thread
     * @throws java.util.concurrent.RejectedExecutionException if the loop is closed
     */
    public static void handOff(Loop loop, Runnable callback) {
        Objects.requireNonNull(loop, "loop");
        LoopAccess.get().handOff(loop, callback);
    }
}
