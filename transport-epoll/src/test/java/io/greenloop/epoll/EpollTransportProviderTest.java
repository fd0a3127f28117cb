package io.greenloop.epoll;

import io.greenloop.Loop;
import io.greenloop.spi.TransportProvider;
import io.greenloop.spi.unix.NioFallback;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How loops find the epoll transport: ServiceLoader, priority over NIO, the override, the fallback. */
class EpollTransportProviderTest {

    private static final String TRANSPORT_PROPERTY = "greenloop.transport";

    @Test
    void theProviderIsFoundAndAvailableOnLinux() {
        TransportProvider epoll = ServiceLoader.load(TransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(provider -> provider.name().equals("epoll")).findFirst().orElseThrow();
        assertTrue(epoll.isAvailable(), () -> "epoll is unavailable: " + epoll.unavailabilityCause());
        assertNull(epoll.unavailabilityCause());
        assertTrue(epoll.priority() > 0, "above nio's 0");
        assertEquals(List.of("epoll", "nio"), Loop.availableTransports(), "best first");
    }

    @Test
    void loopOpenPicksEpollByDefaultAndTheSystemPropertyOverridesIt() {
        String configured = System.clearProperty(TRANSPORT_PROPERTY);  // the build sets it to run the core suite on epoll
        try {
            try (Loop loop = Loop.open()) {
                assertEquals("epoll", loop.transport());
            }
            System.setProperty(TRANSPORT_PROPERTY, "nio");
            try (Loop loop = Loop.open()) {
                assertEquals("nio", loop.transport());
            }
        } finally {
            restore(configured);
        }
    }

    private static void restore(String configured) {
        if (configured == null) {
            System.clearProperty(TRANSPORT_PROPERTY);
        } else {
            System.setProperty(TRANSPORT_PROPERTY, configured);
        }
    }

    @Test
    void openingKqueueOnLinuxNamesTheTransportsThatAreAvailable() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Loop.open("kqueue"));
        assertTrue(refused.getMessage().contains("kqueue") && refused.getMessage().contains("[epoll, nio]"), refused.getMessage());
    }

    @Test
    void aNativeLibraryThatCannotLoadFallsBackToNioWithOneLoggedLine() throws Exception {
        // Netty's own switch makes the epoll library fail to load; Epoll reads it once per JVM, hence a child JVM.
        String reason = NioFallback.assertBothLoopsFellBack("epoll", "-Dio.netty.transport.noNative=true");
        assertTrue(reason.contains("noNative"), reason);
    }
}
