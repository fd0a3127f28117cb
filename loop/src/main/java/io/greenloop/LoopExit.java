package io.greenloop;

/**
 * Thrown by a blocking call on a loop-owning thread, outside greenlets, that could only wait forever:
 * what it waits for is not ready and the loop has nothing pending (no runnable greenlet, timer, I/O
 * waiter or cross-thread work) that could make it so. gevent's {@code LoopExit}.
 */
public class LoopExit extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * An exit whose message says what was awaited.
     *
     * @param message what happened, for the log
     */
    public LoopExit(String message) {
        super(message);
    }
}
