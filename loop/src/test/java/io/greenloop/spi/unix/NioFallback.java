package io.greenloop.spi.unix;

import io.greenloop.Loop;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fallback check of the native transports' provider tests: a child JVM (a native library is probed
 * once per JVM) opens two loops with {@code Loop.open()}, and both must get NIO, with one logged line
 * saying why the native transport is unavailable; or, for its counterpart, both must get the native transport.
 */
public final class NioFallback {

    /** How long the child JVM may take; it only starts and opens two loops. */
    private static final long CHILD_SECONDS = 60;

    private NioFallback() {
    }

    /**
     * Runs the child with {@code jvmArgs} (say, a switch that stops the native library from loading),
     * asserts that both its loops fell back to NIO and that its stderr said once why {@code transport}
     * is unavailable, and returns that line for the caller to check the reason.
     */
    public static String assertBothLoopsFellBack(String transport, String... jvmArgs) throws Exception {
        return assertBothLoopsFellBack(transport, List.of(), jvmArgs);
    }

    /**
     * Like {@link #assertBothLoopsFellBack(String, String...)}, with {@code extraClassPath} after the test's own
     * class path in the child (say, a directory whose resources override Netty's).
     */
    public static String assertBothLoopsFellBack(String transport, List<Path> extraClassPath, String... jvmArgs) throws Exception {
        ChildRun run = runTwoLoops(transport, extraClassPath, jvmArgs);
        assertEquals(1, run.reasons().size(), () -> "one line for two loops, saying why; stderr was:\n" + run.stderr());
        return run.reasons().getFirst();
    }

    /** Like {@link #assertBothLoopsFellBack}, for a transport made for another OS: its absence is expected, so nothing is logged. */
    public static void assertBothLoopsFellBackSilently(String transport) throws Exception {
        ChildRun run = runTwoLoops(transport, List.of());
        assertEquals(List.of(), run.reasons(), () -> "no line for a transport of another OS; stderr was:\n" + run.stderr());
    }

    /** Runs the child with {@code jvmArgs} and asserts that both its loops got {@code transport}, with no line about it. */
    public static void assertBothLoopsGot(String transport, String... jvmArgs) throws Exception {
        ChildRun run = runTwoLoops(transport, transport, List.of(), jvmArgs);
        assertEquals(List.of(), run.reasons(), () -> "no line for an available transport; stderr was:\n" + run.stderr());
    }

    private record ChildRun(List<String> reasons, String stderr) {
    }

    private static ChildRun runTwoLoops(String transport, List<Path> extraClassPath, String... jvmArgs) throws Exception {
        return runTwoLoops(transport, "nio", extraClassPath, jvmArgs);
    }

    private static ChildRun runTwoLoops(String transport, String got, List<Path> extraClassPath, String... jvmArgs) throws Exception {
        List<String> command = javaCommand(extraClassPath, jvmArgs);
        command.add(OpenTwoLoops.class.getName());
        Process child = new ProcessBuilder(command).start();
        assertTrue(child.waitFor(CHILD_SECONDS, TimeUnit.SECONDS), "the child JVM did not finish");
        String out = new String(child.getInputStream().readAllBytes());
        String err = new String(child.getErrorStream().readAllBytes());
        assertEquals(0, child.exitValue(), () -> "child failed: " + out + err);
        assertEquals(got + "\n" + got + "\n", out.replace("\r", ""), () -> "stderr: " + err);
        return new ChildRun(err.lines().filter(line -> line.contains("transport " + transport + " is unavailable")).toList(), err);
    }

    /** {@code java} with this test JVM's class path and the JVM flags greenloop needs, then {@code args}. */
    private static List<String> javaCommand(List<Path> extraClassPath, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        StringBuilder classPath = new StringBuilder(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        extraClassPath.forEach(entry -> classPath.append(File.pathSeparator).append(entry));
        List<String> command = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** The child: opens two loops in turn and prints their transports. */
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
