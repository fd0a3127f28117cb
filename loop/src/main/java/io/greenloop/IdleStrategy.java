package io.greenloop;

/**
 * What a loop does in its poll phase when nothing is ready, set with {@link Loop.Options#withIdleStrategy}:
 * <ul>
 *   <li>{@link #block()}, the default: wait in the poll until I/O, a timer or another thread's
 *       {@link Loop#execute} wakes it. No CPU is spent while idle, and each quiet-to-busy edge pays for the
 *       kernel waking the thread (microseconds).</li>
 *   <li>{@link #spin()}: poll without waiting, again and again, with {@link Thread#onSpinWait()} between: the
 *       thread never sleeps, so it sees I/O and callbacks as soon as they arrive, and it burns a whole core for
 *       as long as the loop runs, busy or not.</li>
 *   <li>{@link #backoff(int, int)}: spin a number of polls, then yield the core a number of polls, then block as
 *       {@link #block()} does (Agrona's {@code BackoffIdleStrategy}, with the poll's wait as its last step): the
 *       spin's answer time after a short lull, and no core burnt through a long one.</li>
 * </ul>
 * Under every strategy timers fire on time, {@link Loop#execute} and {@link Loop#stop()} from another thread are
 * picked up, {@link Loop#run()} returns once nothing is pending, and the blocked-loop report still sees a
 * greenlet that holds the loop (a loop spinning in its poll is idle, not held).
 *
 * <p>Immutable values: thread-safe.
 */
public sealed interface IdleStrategy permits IdlePoll.Block, IdlePoll.Spin, IdlePoll.Backoff {

    /**
     * Wait in the poll (the default, and what a loop did before it had a choice).
     *
     * @return the blocking strategy
     */
    static IdleStrategy block() {
        return IdlePoll.Block.INSTANCE;
    }

    /**
     * Poll without waiting, with {@link Thread#onSpinWait()} between polls: one core per loop, all the time.
     *
     * @return the spinning strategy
     */
    static IdleStrategy spin() {
        return IdlePoll.Spin.INSTANCE;
    }

    /**
     * Poll without waiting {@code spins} times ({@link Thread#onSpinWait()} between), then {@code yields} times
     * ({@link Thread#yield()} between), then wait in the poll; each poll phase that finds nothing starts over.
     *
     * @param spins  how many polls without waiting, with a spin-wait hint between, 0 or more
     * @param yields how many polls without waiting after those, yielding the core between, 0 or more
     * @return the backoff strategy
     * @throws IllegalArgumentException if either count is negative
     */
    static IdleStrategy backoff(int spins, int yields) {
        return new IdlePoll.Backoff(spins, yields);
    }
}
