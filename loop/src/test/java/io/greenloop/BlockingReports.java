package io.greenloop;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Catches the blocked-loop reports where they go: System.Logger "io.greenloop", which the JDK backs with
 * java.util.logging. {@link #listen()} before the test, {@link #stop()} after.
 */
final class BlockingReports {

    /** How long a report may take to land after the spin: far beyond the 0.3-0.7 s seen in a loaded JVM. */
    static final Duration REPORT_WAIT = Duration.ofSeconds(10);

    /*
     * The root logger, where every record ends up, filtered by name below: a handler on the "io.greenloop"
     * logger itself missed the reports in a JVM where other suites had logged through it first.
     */
    private final Logger logger = Logger.getLogger("");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if ("io.greenloop".equals(record.getLoggerName()) && record.getLevel() == Level.WARNING
                    && record.getMessage().contains("without yielding")) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    void listen() {
        logger.addHandler(capture);
    }

    void stop() {
        logger.removeHandler(capture);
    }

    /** The reports caught so far. */
    List<LogRecord> records() {
        return records;
    }

    /**
     * Reports are written by a thread of their own, so they may land after the spin ended (up to some
     * hundreds of ms in a loaded JVM): waits for them, generously, then a little more so that a stray
     * extra report would show.
     */
    void await(int expected) throws InterruptedException {
        long end = System.nanoTime() + REPORT_WAIT.toNanos();
        while (records.size() < expected && System.nanoTime() - end < 0) {
            Thread.sleep(10);
        }
        assertTrue(records.size() >= expected, () -> "expected " + expected + " report(s) within " + REPORT_WAIT.toSeconds()
                + " s, got " + messages() + "; the monitor thread: " + monitorThread());
        Thread.sleep(100);
    }

    List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    /** The monitor thread's state and stack, for a failure message: it should be sampling, not stuck. */
    static String monitorThread() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("greenloop-blocking-monitor"))
                .map(e -> e.getKey().getState() + " " + Arrays.toString(e.getValue()))
                .findFirst().orElse("not running");
    }

    /** Holds the calling thread (and so its loop) for {@code millis}. */
    static void spinFor(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
