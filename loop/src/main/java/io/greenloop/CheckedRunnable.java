package io.greenloop;

/** A body for a greenlet or a thread-pool task that returns nothing and may throw. */
@FunctionalInterface
public interface CheckedRunnable {
    /**
     * Runs the body.
     *
     * @throws Exception whatever the body throws
     */
    void run() throws Exception;
}
