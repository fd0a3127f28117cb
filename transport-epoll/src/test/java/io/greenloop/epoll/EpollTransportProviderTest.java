package io.greenloop.epoll;

import io.greenloop.Loop;
import io.greenloop.spi.TransportProvider;
import io.greenloop.spi.unix.NioFallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

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
    void theBridgeIsBuiltForTheNettyThePomPins() {
        assertEquals(System.getProperty("greenloop.netty.version"), EpollBridge.BUILT_FOR_NETTY,
                "EpollBridge.BUILT_FOR_NETTY must follow netty.version in the POM");
    }

    @Test
    void anotherNettyOnTheClassPathFallsBackToNioWithOneLoggedLineSayingWhich(@TempDir Path extra) throws Exception {
        // Netty's Version reads every META-INF/io.netty.versions.properties; the last on the class path wins.
        Path versions = Files.createDirectories(extra.resolve("META-INF")).resolve("io.netty.versions.properties");
        String artifact = "netty-transport-classes-epoll";
        Files.writeString(versions, String.join("\n", artifact + ".version=4.2.99.Final",
                artifact + ".buildDate=2026-01-01 00\\:00\\:00 +0000", artifact + ".commitDate=2026-01-01 00\\:00\\:00 +0000",
                artifact + ".shortCommitHash=0000000", artifact + ".longCommitHash=0000000000000000000000000000000000000000",
                artifact + ".repoStatus=clean", ""));
        String reason = NioFallback.assertBothLoopsFellBack("epoll", List.of(extra));
        assertTrue(reason.contains("4.2.99.Final") && reason.contains(EpollBridge.BUILT_FOR_NETTY), reason);
    }

    @Test
    void aNativeLibraryThatCannotLoadFallsBackToNioWithOneLoggedLine() throws Exception {
        // Netty's own switch makes the epoll library fail to load; Epoll reads it once per JVM, hence a child JVM.
        String reason = NioFallback.assertBothLoopsFellBack("epoll", "-Dio.netty.transport.noNative=true");
        assertTrue(reason.contains("noNative"), reason);
    }
}
