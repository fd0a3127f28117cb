package io.greenloop.kqueue;

import io.greenloop.Loop;
import io.greenloop.spi.TransportProvider;
import io.greenloop.spi.unix.NioFallback;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How loops find the kqueue transport. On macOS: it is available and the default. Everywhere else (these
 * tests run on Linux too): it says why it is unavailable, {@code Loop.open("kqueue")} names the transports
 * that are, and {@code Loop.open()} falls back to NIO without a logged line (kqueue's absence is expected there).
 */
class KqueueTransportProviderTest {

    private static final boolean MAC_OR_BSD = isMacOrBsd();

    private static boolean isMacOrBsd() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return os.contains("mac") || os.contains("bsd");
    }

    private static TransportProvider kqueueProvider() {
        return ServiceLoader.load(TransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(provider -> provider.name().equals("kqueue")).findFirst().orElseThrow();
    }

    @Test
    void onMacOsKqueueIsAvailableAndTheDefault() {
        assumeTrue(MAC_OR_BSD, "kqueue exists on macOS and the BSDs only");
        TransportProvider kqueue = kqueueProvider();
        assertTrue(kqueue.isAvailable(), () -> "kqueue is unavailable: " + kqueue.unavailabilityCause());
        assertNull(kqueue.unavailabilityCause());
        assertTrue(kqueue.priority() > 0, "above nio's 0");
        assertEquals(List.of("kqueue", "nio"), Loop.availableTransports(), "best first");
        String configured = System.clearProperty("greenloop.transport");
        try (Loop loop = Loop.open()) {
            assertEquals("kqueue", loop.transport());
        } finally {
            if (configured != null) {
                System.setProperty("greenloop.transport", configured);
            }
        }
    }

    @Test
    void elsewhereKqueueSaysWhyAndOpeningItNamesTheAvailableTransports() {
        assumeFalse(MAC_OR_BSD, "this is the test for systems without kqueue");
        TransportProvider kqueue = kqueueProvider();
        assertFalse(kqueue.isAvailable());
        assertTrue(kqueue.unavailabilityCause().getMessage().contains("macOS"), kqueue.unavailabilityCause().getMessage());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Loop.open("kqueue"));
        assertTrue(refused.getMessage().contains("not available") && refused.getMessage().contains("[nio]"), refused.getMessage());
    }

    @Test
    void elsewhereLoopOpenFallsBackToNioWithoutALine() throws Exception {
        assumeFalse(MAC_OR_BSD, "this is the test for systems without kqueue");
        assertFalse(kqueueProvider().isForThisOperatingSystem(), "kqueue is not made for this OS, so its absence is expected");
        NioFallback.assertBothLoopsFellBackSilently("kqueue");
    }
}
