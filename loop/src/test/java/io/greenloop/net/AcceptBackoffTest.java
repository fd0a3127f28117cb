package io.greenloop.net;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AcceptBackoffTest {

    @Test
    void pausesDoubleFromTenMillisecondsUpToOneSecondAndResetOnSuccess() {
        AcceptBackoff backoff = new AcceptBackoff();
        long[] expected = {10, 20, 40, 80, 160, 320, 640, 1000, 1000};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Duration.ofMillis(expected[i]), backoff.failed(), "pause " + i);
            assertEquals(i == 0, backoff.incidentJustBegan(), "only the first failure begins the incident");
        }
        assertEquals(expected.length, backoff.succeeded());
        assertEquals(0, backoff.succeeded(), "a success outside an incident ends none");
        assertEquals(Duration.ofMillis(10), backoff.failed());
        assertTrue(backoff.incidentJustBegan(), "a failure after a success begins a new incident");
        backoff.failed();
        assertFalse(backoff.incidentJustBegan());
    }
}
