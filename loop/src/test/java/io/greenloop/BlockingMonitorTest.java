package io.greenloop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blocked-loop report, caught where it goes ({@link BlockingReports}). */
class BlockingMonitorTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    private final BlockingReports reports = new BlockingReports();

    /** The reports of the running test, for {@link #spinUntilReported()}. */
    private static volatile BlockingReports current;

    @BeforeEach
    void listen() {
        reports.listen();
        current = reports;
    }

    @AfterEach
    void stopListening() {
        reports.stop();
    }

    @Test
    void aGreenletThatSpinsFor300MillisIsReportedOnceWithItsNameAndStack() throws Exception {
        Greenlet<Void> spinner = Green.spawn(BlockingMonitorTest::spinUntilReported);
        spinner.get();
        reports.await(1);
        assertEquals(1, reports.records().size(), () -> "one report per incident: " + reports.messages() + "; the monitor thread: " + BlockingReports.monitorThread());
        LogRecord report = reports.records().getFirst();
        assertTrue(report.getMessage().contains("greenlet " + spinner.name()), report.getMessage());
        assertTrue(report.getMessage().contains(loop.loop().toString()), report.getMessage());
        assertTrue(hasFrame(report, "spinUntilReported"), "the stack shows where it spun: " + Arrays.toString(report.getThrown().getStackTrace()));
    }

    @Test
    void aCallbackThatHoldsTheLoopIsReportedWithTheOwnersStack() throws Exception {
        loop.loop().execute(BlockingMonitorTest::spinUntilReported);
        Green.sleep(Duration.ofMillis(20));
        reports.await(1);
        assertEquals(1, reports.records().size(), reports.messages().toString());
        assertTrue(reports.records().getFirst().getMessage().contains("a loop callback"), reports.records().getFirst().getMessage());
        assertTrue(hasFrame(reports.records().getFirst(), "spinUntilReported"));
    }

    @Test
    void busyGreenletsThatYieldAreNotReported() throws Exception {
        List<Greenlet<Void>> busy = List.of(Green.spawn(BlockingMonitorTest::busyButYielding), Green.spawn(BlockingMonitorTest::busyButYielding));
        Green.joinAll(busy);
        assertEquals(List.of(), reports.messages());
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
        assertEquals(List.of(), reports.messages(), "a loop opened with the limit at 0 is not watched");
        // This test's own loop was opened with the default limit, and is watched.
        Green.spawn(BlockingMonitorTest::spinUntilReported).get();
        reports.await(1);
        assertEquals(1, reports.records().size(), reports.messages().toString());
    }

    @Test
    void oneMonitorThreadServesEveryLoopAndSeesAGreenletStuckInANativeRead() throws Exception {
        Thread other = Thread.ofPlatform().start(() -> {
            Loop second = Loop.open();
            second.spawn(BlockingMonitorTest::readAChildsPipeDirectly);
            second.run();
            second.close();
        });
        // Each loop is held until its own report is in: a fixed 300 ms spin (or 0.4 s read) could end before a
        // monitor thread descheduled on a loaded machine had sampled it twice, and then nothing was reported.
        Green.spawn(() -> spinUntil(r -> r.getMessage().contains("greenlet " + Green.current().name()))).get();
        other.join();
        reports.await(2);
        long monitors = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("greenloop-blocking-monitor")).count();
        assertEquals(1, monitors);
        assertEquals(2, reports.records().size(), "each loop's incident is reported: " + reports.messages());
        assertTrue(reports.records().stream().anyMatch(r -> hasFrame(r, "readAChildsPipeDirectly")), reports.messages().toString());
    }

    /** What greenloop's Subprocess exists to avoid: a Process pipe read holds the carrier, which is the loop's thread. */
    private static void readAChildsPipeDirectly() throws Exception {
        // The child answers once its input closes, which happens when this read has been reported (or after
        // the report wait): the read holds the loop for as long as the test needs, however loaded the machine.
        Process child = new ProcessBuilder("sh", "-c", "read line; echo done").start();
        Thread.ofPlatform().daemon().start(() -> {
            long end = System.nanoTime() + BlockingReports.REPORT_WAIT.toNanos();
            try {
                while (current.records().stream().noneMatch(r -> hasFrame(r, "readAChildsPipeDirectly")) && System.nanoTime() - end < 0) {
                    Thread.sleep(5);   // sleeps, not spins: a spinning thread would compete with the monitor for the CPU
                }
                child.getOutputStream().close();
            } catch (IOException | InterruptedException e) {
                child.destroy();
            }
        });
        child.getInputStream().readAllBytes();
        child.waitFor();
    }

    private static boolean hasFrame(LogRecord report, String method) {
        return report.getThrown() != null
                && Arrays.stream(report.getThrown().getStackTrace()).anyMatch(frame -> frame.getMethodName().equals(method));
    }

    private static void spinFor300Millis() {
        BlockingReports.spinFor(300);
    }

    /**
     * Holds the loop at least 300 ms and until the report is in (at most {@link BlockingReports#REPORT_WAIT}),
     * so that the stack the report takes is still this one however loaded the machine is.
     */
    private static void spinUntilReported() {
        spinUntil(report -> true);
    }

    /** {@link #spinUntilReported()}, until a report that {@code matches}. */
    private static void spinUntil(Predicate<LogRecord> matches) {
        BlockingReports.spinFor(300);
        long end = System.nanoTime() + BlockingReports.REPORT_WAIT.toNanos();
        while (current.records().stream().noneMatch(matches) && System.nanoTime() - end < 0) {
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
}
