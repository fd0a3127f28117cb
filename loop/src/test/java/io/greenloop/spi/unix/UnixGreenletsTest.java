package io.greenloop.spi.unix;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core greenlet behaviour on a loop opened with {@code Loop.open(name)} of a native transport (the
 * subclass names it): spawn, sleep, joinAll, Timeout. (The whole core suite also runs on each transport
 * that can, from loop's test-jar.)
 */
public abstract class UnixGreenletsTest extends UnixTransportCase {

    private Loop loop;

    /** The greenlet tests on {@code transport} (see {@link UnixTransportCase}). */
    protected UnixGreenletsTest(String transport) {
        super(transport);
    }

    @BeforeEach
    void open() {
        loop = Loop.open(transportName);
    }

    @AfterEach
    void close() {
        if (loop != null) {  // null when the test was skipped
            loop.close();
        }
    }

    @Test
    void sleepingGreenletsOverlapAndFinishInDeadlineOrder() {
        assertEquals(transportName, loop.transport());
        List<Integer> finished = new ArrayList<>();
        List<Greenlet<?>> sleepers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 5; i >= 1; i--) {
            int n = i;
            sleepers.add(Green.spawn(() -> {
                Green.sleep(Duration.ofMillis(60L * n));
                finished.add(n);
            }));
        }
        assertEquals(5, Green.joinAll(sleepers).size());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of(1, 2, 3, 4, 5), finished);
        assertTrue(millis >= 300 && millis < 3_000, "5 sleeps of up to 300 ms took " + millis + " ms");
    }

    @Test
    void aTimeoutInterruptsASleepingGreenlet() {
        Greenlet<String> sleeper = Green.spawn(() -> {
            Timeout timeout = Timeout.start(Duration.ofMillis(50));
            try {
                Green.sleep(Duration.ofSeconds(30));
                return "slept";
            } catch (Timeout.Expired expired) {
                return "timed out";
            } finally {
                timeout.close();
            }
        });
        assertTrue(sleeper.join(Duration.ofSeconds(10)));
        assertEquals("timed out", sleeper.value());
        assertThrows(Timeout.Expired.class, () -> Green.withTimeout(Duration.ofMillis(20), () -> {
            Green.sleep(Duration.ofSeconds(30));
            return null;
        }));
    }

    @Test
    void tenThousandGreenletsYieldRoundRobin() {
        int[] turns = new int[1];
        List<Greenlet<?>> greenlets = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            greenlets.add(Green.spawn(() -> {
                for (int round = 0; round < 3; round++) {
                    turns[0]++;
                    Green.sleep();
                }
            }));
        }
        assertEquals(10_000, Green.joinAll(greenlets).size());
        assertEquals(30_000, turns[0]);
    }
}
