package io.greenloop;

import io.greenloop.TransportUnderTest.Decision;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule of {@link TransportUnderTest}, both branches on any OS: a native transport this JVM cannot open
 * (loop alone has neither), with {@code greenloop.test.os} deciding whether that fails or skips its tests.
 * (.ci/run checks the same rule end to end: the epoll module on Linux as the macOS job meets it.)
 */
class TransportUnderTestTest {

    private final String osBefore = System.getProperty(TransportUnderTest.OS_PROPERTY);

    @AfterEach
    void restoreTheOs() {
        if (osBefore == null) {
            System.clearProperty(TransportUnderTest.OS_PROPERTY);
        } else {
            System.setProperty(TransportUnderTest.OS_PROPERTY, osBefore);
        }
    }

    /** A native transport this test JVM cannot open (loop alone has neither; a transport module has one). */
    private static String unavailableNative() {
        return Loop.availableTransports().contains("epoll") ? "kqueue" : "epoll";
    }

    private static String osItIsMadeFor(String transport) {
        return transport.equals("epoll") ? "linux" : "macos";
    }

    private static String anotherOs(String transport) {
        return transport.equals("epoll") ? "macos" : "linux";
    }

    @Test
    void anUnavailableTransportFailsOnTheOsItIsMadeFor() {
        String transport = unavailableNative();
        System.setProperty(TransportUnderTest.OS_PROPERTY, osItIsMadeFor(transport));
        Decision.Fail fail = assertInstanceOf(Decision.Fail.class, TransportUnderTest.decide(transport));
        assertTrue(fail.reason().contains(transport + " is") && fail.reason().contains("which it is made for"), fail.reason());
        assertThrows(AssertionError.class, () -> TransportUnderTest.require(transport));
    }

    @Test
    void anUnavailableTransportIsSkippedOnAnotherOsWithTheReason() {
        String transport = unavailableNative();
        System.setProperty(TransportUnderTest.OS_PROPERTY, anotherOs(transport));
        Decision.Skip skip = assertInstanceOf(Decision.Skip.class, TransportUnderTest.decide(transport));
        assertTrue(skip.reason().contains(transport + " is not made for"), skip.reason());
        assertThrows(org.opentest4j.TestAbortedException.class, () -> TransportUnderTest.require(transport));
    }

    @Test
    void anAvailableTransportRunsAndABadOsOverrideIsRefused() {
        System.setProperty(TransportUnderTest.OS_PROPERTY, "macos");
        assertEquals(new Decision.Run(), TransportUnderTest.decide("nio"));
        System.setProperty(TransportUnderTest.OS_PROPERTY, "windows");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, TransportUnderTest::os);
        assertTrue(refused.getMessage().contains("linux or macos"), refused.getMessage());
    }
}
