package io.greenloop.epoll;

import io.greenloop.Loop;
import io.greenloop.spi.TransportProvider;
import io.greenloop.spi.unix.NioFallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How loops find the epoll transport: ServiceLoader, priority over NIO, the override, the fallback. */
class EpollTransportProviderTest {

    private static final String TRANSPORT_PROPERTY = "greenloop.transport";
    /** The flag that opens Netty's epoll package to greenloop on the class path, when Netty is on the module path. */
    private static final String OPENS_EPOLL_TO_THE_CLASS_PATH = "io.netty.transport.classes.epoll/io.netty.channel.epoll=ALL-UNNAMED";

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
    void withNettyOnTheModulePathEpollNeedsItsPackageOpenedAndTheFallbackLineGivesTheFlag() throws Exception {
        // greenloop stays on the class path (the unnamed module), Netty's jars are named modules that do not open
        // io.netty.channel.epoll: the bridge's private lookup needs the flag, for ALL-UNNAMED here.
        String reason = NioFallback.assertBothLoopsFellBack("epoll", nettyOnTheModulePath());
        assertTrue(reason.contains("--add-opens " + OPENS_EPOLL_TO_THE_CLASS_PATH), reason);
    }

    @Test
    void withNettyOnTheModulePathAndThatFlagLoopsGetEpoll() throws Exception {
        List<String> flags = new ArrayList<>(List.of(nettyOnTheModulePath()));
        flags.add("--add-opens=" + OPENS_EPOLL_TO_THE_CLASS_PATH);
        NioFallback.assertBothLoopsGot("epoll", flags.toArray(String[]::new));
    }

    /** The JVM flags that put this test's Netty jars on the module path and resolve Netty's epoll module. */
    private static String[] nettyOnTheModulePath() {
        String nettyJars = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Path.of(entry).getFileName().toString().startsWith("netty-"))
                .collect(Collectors.joining(File.pathSeparator));
        return new String[] {"--module-path", nettyJars, "--add-modules", "io.netty.transport.classes.epoll"};
    }

    @Test
    void aNativeLibraryThatCannotLoadFallsBackToNioWithOneLoggedLine() throws Exception {
        // Netty's own switch makes the epoll library fail to load; Epoll reads it once per JVM, hence a child JVM.
        String reason = NioFallback.assertBothLoopsFellBack("epoll", "-Dio.netty.transport.noNative=true");
        assertTrue(reason.contains("noNative"), reason);
    }
}
