package io.greenloop.http;

import java.lang.System.Logger.Level;

/**
 * The HTTP server's log: {@code System.Logger} "io.greenloop.HttpServer", named as greenloop names its components'
 * logs ("io.greenloop" sets them all). A logger that fails is never allowed to end a connection or a server (out of
 * descriptors, the JDK's default logger has thrown while loading its first record's time zone): a failed call is
 * dropped; fatal VM errors still propagate. This is loop's {@code internal.SafeLog} rule again, because that
 * package is not exported to other modules. Any thread.
 */
final class HttpLog {

    static final String NAME = "io.greenloop.HttpServer";

    /** Found on first use, not when this class loads: the logging backend may not be set up yet then. */
    private static volatile System.Logger logger;

    private HttpLog() {
    }

    /** Logs {@code message} with {@code thrown} attached ({@code null}: none). */
    static void log(Level level, String message, Throwable thrown) {
        try {
            logger().log(level, message, thrown);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable loggerFailure) {
            // dropped: see the class comment
        }
    }

    /** Logs a {@link java.text.MessageFormat} pattern, formatted only when {@code level} is logged. */
    static void log(Level level, String format, Object... params) {
        try {
            System.Logger log = logger();
            if (log.isLoggable(level)) {
                log.log(level, format, params);
            }
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable loggerFailure) {
            // dropped: see the class comment
        }
    }

    private static System.Logger logger() {
        System.Logger log = logger;
        if (log == null) {
            log = System.getLogger(NAME);
            logger = log;
        }
        return log;
    }
}
