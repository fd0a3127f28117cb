package io.greenloop.process;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that do the blocking halves of child-process pipes. A read from a {@link Process} pipe
 * blocks its thread in a native call, and for a greenlet that thread is the loop's, so every pipe of a
 * {@link Subprocess} gets a pump here while it has work: it blocks on the pipe and hands chunks to the
 * loop with {@code LowLevel.handOff}. Each pump may block for the child's whole life, so the pool grows with
 * the number of open pipes (no fixed size could be right) and shrinks when they close.
 */
final class Pipes {

    /** Idle pump threads linger this long, so that a burst of short-lived children reuses them. */
    private static final long IDLE_SECONDS = 30;

    private static final Executor PUMPS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            Thread.ofPlatform().name("greenloop-pipe-", 1).daemon().inheritInheritableThreadLocals(false).factory());

    private Pipes() {
    }

    /** Runs {@code pump} on a pump thread of its own. Thread-safe. */
    static void start(Runnable pump) {
        PUMPS.execute(pump);
    }
}
