package io.greenloop.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs small programs in fresh JVMs: what happens before any loop exists cannot be tested in this one. */
class GreenletThreadsTest {

    @Test
    void withoutTheFlagOpeningALoopFailsWithAMessageThatGivesIt() throws Exception {
        Result result = runJava(List.of(), "io.greenloop.internal.JvmProbes", "open-loop");
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("IllegalStateException"), result.output());
        assertTrue(result.output().contains(GreenletThreads.REQUIRED_FLAG), result.output());
    }

    @Test
    void theJdkSocketPollersDoNotLandOnTheFirstLoopThatUsesSockets() throws Exception {
        Result result = runJava(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED"),
                "io.greenloop.internal.JvmProbes", "pollers");
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("socket I/O after the loop closed: ok"), result.output());
    }

    record Result(int exitCode, String output) {
    }

    static Result runJava(List<String> jvmFlags, String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the probe JVM did not finish: " + new String(output, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
