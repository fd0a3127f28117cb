package io.greenloop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor once went silent for the rest of the JVM's life: it saw a loop watched, then (outside its
 * lock) found none, the last one having closed, and slept "for ever", where a newly watched loop could not
 * wake it. Loops opened and closed on another thread while no other loop is open make that window likely,
 * so this class keeps no loop of its own (no {@link LoopExtension}); the spin then runs on a fresh loop.
 */
class BlockingMonitorChurnTest {

    private final BlockingReports reports = new BlockingReports();

    @BeforeEach
    void listen() {
        reports.listen();
    }

    @AfterEach
    void stopListening() {
        reports.stop();
    }

    @Test
    void aSpinAfterLoopsCameAndWentIsStillReportedWithTheGreenletsName() throws Exception {
        Thread churn = Thread.ofPlatform().name("loop-churn").start(() -> {
            long end = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() - end < 0) {
                Loop.open().close();
            }
        });
        churn.join();
        AtomicReference<String> spinner = new AtomicReference<>();
        Thread owner = Thread.ofPlatform().name("spinning-loop-owner").start(() -> {
            try (Loop loop = Loop.open()) {
                spinner.set(loop.spawn(() -> BlockingReports.spinFor(350)).name());
                loop.run();
            }
        });
        owner.join();
        assertNotNull(spinner.get());
        reports.await(1);
        String report = reports.records().getFirst().getMessage();
        assertTrue(report.contains("greenlet " + spinner.get() + " has held"), report);
    }
}
