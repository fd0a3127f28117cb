package io.greenloop;

/**
 * Raised inside a greenlet by {@link Greenlet#kill()} at its current or next blocking point. An
 * {@link Error}, like {@code ThreadDeath}, so that {@code catch (Exception e)} in user code cannot
 * swallow a kill; {@code finally} blocks still run. A greenlet that ends with it counts as successful.
 */
public class GreenletExit extends Error {
    private static final long serialVersionUID = 1L;

    /** A kill with the default message. */
    public GreenletExit() {
        super("greenlet killed");
    }

    /**
     * A kill that says why.
     *
     * @param message what happened, for the log
     */
    public GreenletExit(String message) {
        super(message);
    }
}
