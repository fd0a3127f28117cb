package io.greenloop;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The base of the suites every transport runs (the conformance suite, the fault suite of issue 14): a
 * one-screen subclass names the transport ({@code Nio*Test} here, {@code Epoll*Test} in transport-epoll
 * from the test-jar). Each test opens a loop on the test thread, which owns it and drives it whenever a
 * call made outside greenlets waits, and closes it afterwards; failures that reached the loop's error
 * handler and were not taken fail the test. A transport this machine lacks skips the suite.
 */
public abstract class TransportCase {

    /** The longest any one test waits for its greenlets: generous, for a shared 2-core machine. */
    protected static final Duration LIMIT = Duration.ofSeconds(60);

    /** The transport under test, as {@code Loop.open(name)} takes it. */
    protected abstract String transport();

    protected Loop loop;
    private final List<Throwable> loopErrors = new ArrayList<>();

    @BeforeEach
    void openLoop() {
        assumeTrue(Loop.availableTransports().contains(transport()),
                () -> "transport " + transport() + " is not available here; available: " + Loop.availableTransports());
        loop = Loop.open(transport());
        loop.errorHandler((greenlet, error) -> loopErrors.add(error));
    }

    @AfterEach
    void closeLoop() {
        if (loop == null) {
            return;
        }
        loop.close();
        assertTrue(loopErrors.isEmpty(), () -> "unexpected failures reached the loop: " + loopErrors);
    }

    /** Removes and returns the failures that reached the loop so far, for tests that expect some. */
    protected List<Throwable> takeLoopErrors() {
        List<Throwable> taken = new ArrayList<>(loopErrors);
        loopErrors.clear();
        return taken;
    }

    /** Waits (driving the loop) until every greenlet finished within {@link #LIMIT}; rethrows the first failure. */
    protected void joinAllOrFail(List<? extends Greenlet<?>> greenlets) {
        List<Greenlet<?>> finished = Green.joinAll(greenlets, LIMIT);
        assertEquals(greenlets.size(), finished.size(), "greenlets still running after " + LIMIT);
        for (Greenlet<?> greenlet : greenlets) {
            if (greenlet.exception() != null) {
                loopErrors.remove(greenlet.exception());
                throw new AssertionError(greenlet.name() + " failed", greenlet.exception());
            }
        }
    }

    /** This JVM's open descriptors, from {@code /proc/self/fd} (-1 where there is no such directory). */
    protected static int openDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
