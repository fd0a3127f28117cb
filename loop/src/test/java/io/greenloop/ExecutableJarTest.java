package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The third way to give the JVM greenloop's flags: the manifest of an executable jar. A child JVM runs
 * {@code java -jar app.jar} with no flags at all (and JDK_JAVA_OPTIONS, JAVA_TOOL_OPTIONS cleared); the
 * jar's {@code Class-Path} points at the classes this test runs from, as a packaged application's lib/ would.
 */
class ExecutableJarTest {

    @TempDir
    Path directory;

    @Test
    void aJarWhoseManifestOpensJavaLangRunsAGreenletWithoutCommandLineFlags() throws Exception {
        Path jar = executableJar("app.jar", true);
        ChildProcess.Result run = runJar(jar);
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("hello from Greenlet-0"), run.toString());
        assertTrue(run.stdout().contains("Stats[iterations="), run.toString());
        // The JVM's own warnings (restricted methods, illegal access) start with "WARNING:".
        assertEquals(List.of(), ChildProcess.jvmWarnings(run.stderr()), "no JVM warning: " + run);
    }

    /** Shows that the manifest attribute is what made the first run work. */
    @Test
    void withoutAddOpensTheSameJarFailsSayingWhichFlagIsMissing() throws Exception {
        Path jar = executableJar("no-add-opens.jar", false);
        ChildProcess.Result run = runJar(jar);
        assertNotEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("--add-opens java.base/java.lang=ALL-UNNAMED"), run.toString());
    }

    private Path executableJar(String name, boolean addOpens) throws IOException, URISyntaxException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, ExecutableJarMain.class.getName());
        main.put(Attributes.Name.CLASS_PATH, classPath());
        if (addOpens) {
            main.putValue("Add-Opens", "java.base/java.lang");
        }
        main.putValue("Enable-Native-Access", "ALL-UNNAMED");
        Path jar = directory.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // The manifest is the whole jar: the classes come through its Class-Path.
        }
        return jar;
    }

    /**
     * Where greenloop's classes and this test's classes are (directories or jars, whichever this build made),
     * as Class-Path entries relative to the jar: the manifest's Class-Path is specified as relative URLs.
     */
    private String classPath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : List.of(Loop.class, ExecutableJarMain.class)) {
            Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            String relative = directory.toAbsolutePath().relativize(location.toAbsolutePath()).toString().replace('\\', '/');
            if (Files.isDirectory(location)) {
                relative += "/";
            }
            String entry = new URI(null, null, relative, null).toASCIIString();
            if (!entries.contains(entry)) {
                entries.add(entry);
            }
        }
        return String.join(" ", entries);
    }

    private ChildProcess.Result runJar(Path jar) throws IOException, InterruptedException {
        return ChildProcess.run(ChildProcess.javaJar(jar), directory, jar.getFileName().toString(), Duration.ofSeconds(60));
    }
}
