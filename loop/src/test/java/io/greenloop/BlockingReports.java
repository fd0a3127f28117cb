package io.greenloop;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Catches the blocked-loop reports where they go: System.Logger "io.greenloop.BlockingMonitor", which the JDK
 * backs with java.util.logging ({@link CapturedLogs}). {@link #listen()} before the test, {@link #stop()} after.
 */
final class BlockingReports {

    /** How long a report may take to land after the spin: far beyond the 0.3-0.7 s seen in a loaded JVM. */
    static final Duration REPORT_WAIT = Duration.ofSeconds(10);

    private CapturedLogs capture;

    void listen() {
        capture = CapturedLogs.start();
    }

    void stop() {
        capture.close();
    }

    /** The reports caught so far. */
    List<LogRecord> records() {
        return capture.records("io.greenloop.BlockingMonitor", Level.WARNING).stream()
                .filter(record -> record.getMessage().contains("without yielding")).toList();
    }

    /**
     * Reports are written by a thread of their own, so they may land after the spin ended (up to some
     * hundreds of ms in a loaded JVM): waits for them, generously, then a little more so that a stray
     * extra report would show.
     */
    void await(int expected) throws InterruptedException {
        long end = System.nanoTime() + REPORT_WAIT.toNanos();
        while (records().size() < expected && System.nanoTime() - end < 0) {
            Thread.sleep(10);
        }
        assertTrue(records().size() >= expected, () -> "expected " + expected + " report(s) within " + REPORT_WAIT.toSeconds()
                + " s, got " + messages() + "; the monitor thread: " + monitorThread());
        Thread.sleep(100);
    }

    List<String> messages() {
        return records().stream().map(LogRecord::getMessage).toList();
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
