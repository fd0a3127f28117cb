package io.greenloop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process to its end for a test, its output kept in files beside its work (a child that writes
 * more than a pipe holds cannot stall), and fails naming what it printed when it outlives its bound. Used by
 * {@link ExecutableJarTest} and by the consumer-project test in bench, through loop's test-jar.
 */
public final class ChildProcess {

    private ChildProcess() {
    }

    /** What a child did: its exit code and everything it printed. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * {@code java -jar jar} on the JDK running the test, with no JVM flags at all: the launcher's option
     * variables ({@code JDK_JAVA_OPTIONS}, {@code JAVA_TOOL_OPTIONS}) are cleared, so only the jar's manifest speaks.
     */
    public static ProcessBuilder javaJar(Path jar) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-jar", jar.toString());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return builder;
    }

    /**
     * Starts {@code builder} in {@code directory} and waits for its end, at most {@code limit}; its output goes to
     * {@code name.out} and {@code name.err} there. A child still running at the limit is killed and the test fails.
     */
    public static Result run(ProcessBuilder builder, Path directory, String name, Duration limit)
            throws IOException, InterruptedException {
        Path stdout = directory.resolve(name + ".out");
        Path stderr = directory.resolve(name + ".err");
        builder.directory(directory.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process = builder.start();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            throw new AssertionError(String.join(" ", builder.command()) + " did not finish in " + limit.toSeconds()
                    + " s; it printed:\n" + Files.readString(stdout) + Files.readString(stderr));
        }
        return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    /** The lines of {@code stderr} that are JVM warnings ("WARNING: ..."), for a run that must have none. */
    public static List<String> jvmWarnings(String stderr) {
        // A blocked-loop report (a slow first greenlet on a busy machine) is greenloop's, not the JVM's flags'.
        return stderr.lines().filter(line -> line.startsWith("WARNING:") && !line.contains("without yielding")).toList();
    }
}
