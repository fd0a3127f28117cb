package io.greenloop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Catches the reports where they go: System.Logger "io.greenloop", which the JDK backs with java.util.logging. */
class BlockingMonitorTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    /*
     * The root logger, where every record ends up, filtered by name below: a handler on the "io.greenloop"
     * logger itself missed the reports in a JVM where other suites had logged through it first.
     */
    private final Logger logger = Logger.getLogger("");
    private final List<LogRecord> reports = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if ("io.greenloop".equals(record.getLoggerName()) && record.getLevel() == Level.WARNING
                    && record.getMessage().contains("without yielding")) {
                reports.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
    }

    @Test
    void aGreenletThatSpinsFor300MillisIsReportedOnceWithItsNameAndStack() throws Exception {
        Greenlet<Void> spinner = Green.spawn(BlockingMonitorTest::spinFor300Millis);
        spinner.get();
        assertEquals(1, reports.size(), () -> "one report per incident: " + messages() + "; the monitor thread: " + monitorThread());
        LogRecord report = reports.getFirst();
        assertTrue(report.getMessage().contains("greenlet " + spinner.name()), report.getMessage());
        assertTrue(report.getMessage().contains(loop.loop().toString()), report.getMessage());
        assertTrue(hasFrame(report, "spinFor300Millis"), "the stack shows where it spun: " + Arrays.toString(report.getThrown().getStackTrace()));
    }

    @Test
    void aCallbackThatHoldsTheLoopIsReportedWithTheOwnersStack() {
        loop.loop().execute(BlockingMonitorTest::spinFor300Millis);
        Green.sleep(Duration.ofMillis(20));
        assertEquals(1, reports.size(), messages().toString());
        assertTrue(reports.getFirst().getMessage().contains("a loop callback"), reports.getFirst().getMessage());
        assertTrue(hasFrame(reports.getFirst(), "spinFor300Millis"));
    }

    @Test
    void busyGreenletsThatYieldAreNotReported() throws Exception {
        List<Greenlet<Void>> busy = List.of(Green.spawn(BlockingMonitorTest::busyButYielding), Green.spawn(BlockingMonitorTest::busyButYielding));
        Green.joinAll(busy);
        assertEquals(List.of(), messages());
    }

    @Test
    void aLimitOfZeroTurnsTheReportOffForLoopsOpenedThen() throws Exception {
        String before = System.getProperty(BlockingMonitor.LIMIT_PROPERTY);
        System.setProperty(BlockingMonitor.LIMIT_PROPERTY, "0");
        Thread other;
        try {
            other = Thread.ofPlatform().name("unwatched-loop-owner").start(() -> {
                Loop unwatched = Loop.open();
                unwatched.spawn(BlockingMonitorTest::spinFor300Millis);
                unwatched.run();
                unwatched.close();
            });
            other.join();
        } finally {
            if (before == null) {
                System.clearProperty(BlockingMonitor.LIMIT_PROPERTY);
            } else {
                System.setProperty(BlockingMonitor.LIMIT_PROPERTY, before);
            }
        }
        assertEquals(List.of(), messages(), "a loop opened with the limit at 0 is not watched");
        // This test's own loop was opened with the default limit, and is watched.
        Green.spawn(BlockingMonitorTest::spinFor300Millis).get();
        assertEquals(1, reports.size(), messages().toString());
    }

    @Test
    void oneMonitorThreadServesEveryLoopAndSeesAGreenletStuckInANativeRead() throws Exception {
        Thread other = Thread.ofPlatform().start(() -> {
            Loop second = Loop.open();
            second.spawn(BlockingMonitorTest::readAChildsPipeDirectly);
            second.run();
            second.close();
        });
        Green.spawn(BlockingMonitorTest::spinFor300Millis).get();
        other.join();
        long monitors = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("greenloop-blocking-monitor")).count();
        assertEquals(1, monitors);
        assertEquals(2, reports.size(), "each loop's incident is reported: " + messages());
        assertTrue(reports.stream().anyMatch(r -> hasFrame(r, "readAChildsPipeDirectly")), messages().toString());
    }

    /** What greenloop's Subprocess exists to avoid: a Process pipe read holds the carrier, which is the loop's thread. */
    private static void readAChildsPipeDirectly() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "sleep 0.4; echo done").start();
        child.getInputStream().readAllBytes();
        child.waitFor();
    }

    private List<String> messages() {
        return reports.stream().map(LogRecord::getMessage).toList();
    }

    private static boolean hasFrame(LogRecord report, String method) {
        return report.getThrown() != null
                && Arrays.stream(report.getThrown().getStackTrace()).anyMatch(frame -> frame.getMethodName().equals(method));
    }

    private static void spinFor300Millis() {
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    private static void busyButYielding() {
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() - end < 0) {
            long slice = System.nanoTime() + 1_000_000L;
            while (System.nanoTime() - slice < 0) {
                Thread.onSpinWait();
            }
            Green.sleep();
        }
    }

    /** The monitor thread's state and stack, for a failure message: it should be sampling, not stuck. */
    private static String monitorThread() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("greenloop-blocking-monitor"))
                .map(e -> e.getKey().getState() + " " + Arrays.toString(e.getValue()))
                .findFirst().orElse("not running");
    }
}
