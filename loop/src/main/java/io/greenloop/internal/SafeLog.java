package io.greenloop.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;

/**
 * One greenloop component's log: {@code System.Logger} "io.greenloop.COMPONENT" ({@code io.greenloop.Loop},
 * {@code io.greenloop.StreamServer}, ...), so that a user can quiet or raise one part; "io.greenloop" itself sets
 * them all. Every log call greenloop makes goes through one, so that a logger that fails itself never stops a
 * loop, a server, a monitor or a pump. It happens: out of file descriptors, the JDK's default logger throws an
 * {@code Error} while it loads time-zone data for its first record, and an accept loop that let that through
 * stopped accepting for good. A failed log call is counted ({@link #failures()}) and otherwise dropped; fatal VM
 * errors ({@link VirtualMachineError}) still propagate. Any thread.
 */
public final class SafeLog {

    private static final String PREFIX = "io.greenloop.";
    private static final LongAdder FAILURES = new LongAdder();

    private final String name;
    /** Found on first use, not when the component's class loads: the logging backend may not be set up yet then. */
    private volatile System.Logger logger;

    private SafeLog(String name) {
        this.name = name;
    }

    /**
     * The log of {@code component}, System.Logger "io.greenloop.{@code component}".
     *
     * @param component the component's name, as "StreamServer"
     * @return its log
     */
    public static SafeLog of(String component) {
        if (component == null || component.isBlank() || component.contains(" ")) {
            throw new IllegalArgumentException("a component's log needs a name without spaces, as \"StreamServer\", not \"" + component + "\"");
        }
        return new SafeLog(PREFIX + component);
    }

    /**
     * The System.Logger name it writes to.
     *
     * @return the logger's name
     */
    public String name() {
        return name;
    }

    /**
     * Logs {@code message} with {@code thrown} attached ({@code null}: none); never throws but fatal VM errors.
     *
     * @param level the level
     * @param message what happened, for the log
     * @param thrown the exception to attach, or {@code null}
     */
    public void log(Level level, String message, Throwable thrown) {
        guarded(() -> logger().log(level, message, thrown));
    }

    /**
     * Logs a {@link java.text.MessageFormat} pattern with its parameters, formatted only when the level is logged
     * (so a DEBUG line per connection costs a level check when DEBUG is off); never throws but fatal VM errors.
     *
     * @param level the level
     * @param format the pattern
     * @param params its parameters
     */
    public void log(Level level, String format, Object... params) {
        guarded(() -> logger().log(level, format, params));
    }

    private static void guarded(Runnable logCall) {
        try {
            logCall.run();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable loggerFailure) {
            FAILURES.increment();
        }
    }

    private System.Logger logger() {
        System.Logger found = logger;
        if (found == null) {
            found = System.getLogger(name);
            logger = found;
        }
        return found;
    }

    /**
     * How many log calls failed inside the logger since the JVM started.
     *
     * @return how many log calls failed inside the logger since the JVM started
     */
    public static long failures() {
        return FAILURES.sum();
    }

    @Override
    public String toString() {
        return "SafeLog[" + name + "]";
    }
}
