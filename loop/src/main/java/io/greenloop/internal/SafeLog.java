package io.greenloop.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every log call greenloop makes goes through here, to {@code System.Logger} "io.greenloop", so that a
 * logger that fails itself never stops a loop, a server, a monitor or a pump. It happens: out of file
 * descriptors, the JDK's default logger throws an {@code Error} while it loads time-zone data for its
 * first record, and an accept loop that let that through stopped accepting for good. A failed log call is
 * counted ({@link #failures()}) and otherwise dropped; fatal VM errors ({@link VirtualMachineError}) still
 * propagate. Any thread.
 */
public final class SafeLog {

    private static final String NAME = "io.greenloop";
    private static final LongAdder FAILURES = new LongAdder();

    private SafeLog() {
    }

    /**
     * Logs {@code message} with {@code thrown} attached ({@code null}: none); never throws but fatal VM errors.
     *
     * @param level the level
     * @param message what happened, for the log
     * @param thrown the exception to attach, or {@code null}
     */
    public static void log(Level level, String message, Throwable thrown) {
        guarded(() -> System.getLogger(NAME).log(level, message, thrown));
    }

    /**
     * Logs a {@link java.text.MessageFormat} pattern with its parameters; never throws but fatal VM errors.
     *
     * @param level the level
     * @param format the pattern
     * @param params its parameters
     */
    public static void log(Level level, String format, Object... params) {
        guarded(() -> System.getLogger(NAME).log(level, format, params));
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

    /**
     * How many log calls failed inside the logger since the JVM started.
     *
     * @return how many log calls failed inside the logger since the JVM started
     */
    public static long failures() {
        return FAILURES.sum();
    }
}
