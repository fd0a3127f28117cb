package io.greenloop;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Opens a loop on the test thread before each test and closes it after, failing the test when an error
 * reached the loop's error handler that the test did not {@link #takeErrors() take}, or when greenlets
 * are still alive. The loop uses {@code Loop.open()}, so {@code -Dgreenloop.transport=NAME} runs the same
 * tests on another transport: that is how each transport module runs this suite ({@link TransportUnderTest}
 * decides first whether that transport's tests run, fail or are skipped here).
 */
public final class LoopExtension implements BeforeEachCallback, AfterEachCallback {

    private Loop loop;
    private final List<Throwable> errors = new ArrayList<>();

    /** The test's loop. */
    public Loop loop() {
        return loop;
    }

    /** The errors that reached the loop's error handler so far, removing them from the leak check. */
    public List<Throwable> takeErrors() {
        List<Throwable> taken = new ArrayList<>(errors);
        errors.clear();
        return taken;
    }

    /** Removes one error the test expected (say, a greenlet's failure it asserts on) from the leak check. */
    public void forgetError(Throwable error) {
        errors.remove(error);
    }

    /**
     * Waits (driving the loop) until every greenlet finished, at most {@code limit}; rethrows the first
     * failure as the test's, and keeps it out of the leak check.
     */
    public void joinAllOrFail(List<? extends Greenlet<?>> greenlets, Duration limit) {
        List<Greenlet<?>> finished = Green.joinAll(greenlets, limit);
        assertEquals(greenlets.size(), finished.size(), "greenlets still running after " + limit);
        for (Greenlet<?> greenlet : greenlets) {
            if (greenlet.exception() != null) {
                forgetError(greenlet.exception());
                throw new AssertionError(greenlet.name() + " failed", greenlet.exception());
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        TransportUnderTest.chosen().ifPresent(TransportUnderTest::require);
        loop = Loop.open();
        TransportUnderTest.chosen().ifPresent(wanted ->
                assertEquals(wanted, loop.transport(), "the loop must run on the transport under test"));
        loop.errorHandler((greenlet, error) -> errors.add(error));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Loop closing = loop;
        loop = null;
        if (closing == null) {
            return;
        }
        int live;
        try {
            // Let greenlets that are about to finish do so; a test that leaves sleepers behind is a leak.
            closing.runOnce(false);
            live = closing.liveGreenlets();
        } finally {
            closing.close();
        }
        if (!errors.isEmpty()) {
            AssertionError failure = new AssertionError("errors reached the loop's error handler: " + errors);
            errors.forEach(failure::addSuppressed);
            errors.clear();
            throw failure;
        }
        if (live > 0) {
            fail(live + " greenlet(s) still alive at the end of the test");
        }
    }
}
