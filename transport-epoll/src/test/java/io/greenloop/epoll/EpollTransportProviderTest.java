package io.greenloop.epoll;

import io.greenloop.Loop;
import io.greenloop.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

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
        Process child = new ProcessBuilder(javaCommand("-Dio.netty.transport.noNative=true", OpenTwoLoops.class.getName()))
                .start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        String out = new String(child.getInputStream().readAllBytes());
        String err = new String(child.getErrorStream().readAllBytes());
        assertEquals(0, child.exitValue(), () -> "child failed: " + out + err);
        assertEquals("nio\nnio\n", out.replace("\r", ""), () -> "stderr: " + err);
        List<String> reasons = err.lines().filter(line -> line.contains("transport epoll is unavailable")).toList();
        assertEquals(1, reasons.size(), () -> "one line for two loops, saying why; stderr was:\n" + err);
        assertTrue(reasons.getFirst().contains("noNative"), reasons.getFirst());
    }

    /** {@code java} with this test JVM's class path and the JVM flags greenloop needs, then {@code args}. */
    static List<String> javaCommand(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath));
        command.addAll(List.of(args));
        return command;
    }

    /** The child of the fallback test: opens two loops in turn and prints their transports. */
    public static final class OpenTwoLoops {

        private OpenTwoLoops() {
        }

        /** Entry point of the child JVM. */
        public static void main(String[] args) {
            for (int i = 0; i < 2; i++) {
                try (Loop loop = Loop.open()) {
                    System.out.println(loop.transport());
                }
            }
        }
    }
}
