package io.greenloop;

/**
 * The JMX view of one open loop, registered as {@code io.greenloop:type=Loop,name=<loop name>} in the
 * platform MBean server when the loop opens and unregistered when it closes (see {@link Loop#stats()} for
 * what each attribute counts). Thread rule: every method may be called from any thread and never waits
 * for the loop; the values are those of {@link Loop#stats()} read from another thread.
 */
public interface LoopMXBean {

    /**
     * Iterations of the loop's four phases so far.
     *
     * @return the number of iterations
     */
    long getIterations();

    /**
     * Poll phases so far, one per iteration (under a spinning idle strategy one phase polls the transport many times).
     *
     * @return the number of polls
     */
    long getPolls();

    /**
     * Tasks (timers, callbacks, greenlet resumptions) run so far.
     *
     * @return the number of tasks run
     */
    long getTasksRun();

    /**
     * Greenlets started and not yet finished, as of the loop's last poll.
     *
     * @return the number of live greenlets
     */
    int getLiveGreenlets();

    /**
     * Armed timers, as of the loop's last poll.
     *
     * @return the number of armed timers
     */
    int getPendingTimers();

    /**
     * Greenlets (or the owner thread) parked in an I/O or cross-thread wait, as of the loop's last poll.
     *
     * @return the number of I/O and cross-thread waiters
     */
    int getIoWaiters();

    /**
     * Blocked-loop reports written for this loop so far.
     *
     * @return the number of blocked-loop reports
     */
    long getBlockedReports();

    /**
     * Callbacks other threads handed the loop that it has not taken up yet (its inbox's depth), now.
     *
     * @return the inbox's depth
     */
    long getPendingCallbacks();

    /**
     * The CPU the loop's owner thread is pinned to ({@link Loop.Options#withCpu}), or -1 when it is not pinned.
     *
     * @return the CPU number, or -1
     */
    int getCpu();

    /**
     * What the loop does when idle ({@link Loop.Options#withIdleStrategy}): {@code block}, {@code spin} or
     * {@code backoff(spins, yields)}.
     *
     * @return the idle strategy's name
     */
    String getIdleStrategy();

    /**
     * What runs in this JVM, as {@link Green#formatRunInfo()}: every open loop, its live greenlets and their stacks.
     *
     * @return what runs in this JVM, as {@link Green#formatRunInfo()}
     */
    String formatRunInfo();
}
