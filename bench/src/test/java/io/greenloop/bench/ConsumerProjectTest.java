package io.greenloop.bench;

import io.greenloop.ChildProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's "Use greenloop in your own project", done as a new user would: its {@code pom.xml} and
 * {@code Hello.java}, taken from README.md, built by Maven against a local repository of its own, and the jar run
 * with {@code java -jar} and no flags in a child JVM, which must get the native transport and print no JVM warning.
 *
 * <p>The local repository ({@code bench/target/consumer-test/repository}) starts empty every run, never the
 * user's: greenloop's jars just built by this reactor (with their sources and javadoc jars) are installed into it
 * with {@code install:install-file}, and everything else comes from the build's own local repository, read as a
 * remote one (released artifacts only, so no greenloop snapshot there can stand in), then from Maven Central.
 * This module is the last of the build, so the library jars exist by the time it runs.
 */
class ConsumerProjectTest {

    private static final Duration MAVEN_LIMIT = Duration.ofMinutes(5);
    private static final List<String> LIBRARIES = List.of("loop", "transport-epoll", "transport-kqueue");

    private final Path root = Path.of(property("greenloop.root")).toAbsolutePath().normalize();
    private final String version = property("greenloop.version");
    private final Path work = root.resolve("bench/target/consumer-test");

    @Test
    void theReadmeProjectBuildsAgainstAFreshRepositoryAndRunsAsAJarOnTheNativeTransport() throws Exception {
        String transport = nativeTransport();
        deleteRecursively(work);
        Path repository = Files.createDirectories(work.resolve("repository"));
        Path settings = writeSettings();

        Path installer = Files.createDirectories(work.resolve("installer"));
        Files.writeString(installer.resolve("pom.xml"), installerPom(repository));
        maven(installer, settings, repository, "install", "validate");

        Path consumer = Files.createDirectories(work.resolve("consumer/src/main/java/demo"));
        String readme = Files.readString(root.resolve("README.md"));
        String section = readmeSection(readme, "## Use greenloop in your own project");
        Files.writeString(work.resolve("consumer/pom.xml"), fencedBlock(section, "xml", "<project"));
        Files.writeString(consumer.resolve("Hello.java"), fencedBlock(section, "java", "class Hello"));
        maven(work.resolve("consumer"), settings, repository, "package", "package");

        Path target = work.resolve("consumer/target");
        Path built = root.resolve("transport-epoll/target/greenloop-transport-epoll-" + version + ".jar");
        assertEquals(-1, Files.mismatch(built, target.resolve("lib/greenloop-transport-epoll-" + version + ".jar")),
                "the consumer got the jar this build made, from the fresh repository");
        ChildProcess.Result run = ChildProcess.run(ChildProcess.javaJar(target.resolve("hello-greenloop-1.0.jar")),
                work, "java-jar", Duration.ofSeconds(60));
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("hello from a greenlet on " + transport), run.toString());
        assertEquals(List.of(), ChildProcess.jvmWarnings(run.stderr()), "no JVM warning: " + run);
    }

    /** The transport a consumer on this machine must get: epoll on Linux, kqueue on macOS; elsewhere the test is skipped. */
    private static String nativeTransport() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        assumeTrue(os.contains("linux") || os.contains("mac"), "greenloop has no native transport for " + os);
        return os.contains("linux") ? "epoll" : "kqueue";
    }

    /** Runs {@code mvn goal} in {@code directory} with the throwaway repository and the seeding settings. */
    private void maven(Path directory, Path settings, Path repository, String name, String goal) throws Exception {
        String mvn = Path.of(property("maven.home"), "bin", "mvn").toString();
        ProcessBuilder builder = new ProcessBuilder(mvn, "-B", "-ntp", "-f", directory.resolve("pom.xml").toString(),
                "-s", settings.toString(), "-Dmaven.repo.local=" + repository, goal);
        // The JDK that runs this test, which the build chose (JDK 25); no flags meant for the outer build's JVMs.
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MAVEN_ARGS");
        ChildProcess.Result result = ChildProcess.run(builder, work, "mvn-" + name, MAVEN_LIMIT);
        assertEquals(0, result.exitCode(), () -> "mvn " + goal + " in " + directory + " failed:\n" + lastLines(result.stdout()));
    }

    /**
     * Settings that put the build's own local repository first among the remote ones, read-only through a
     * {@code file:} URL and for releases only (this build's plugins and Netty, without a download), Central after it.
     */
    private Path writeSettings() throws IOException {
        String seed = Path.of(property("greenloop.seedRepository")).toUri().toString();
        String repository = """
                    <id>seed</id>
                    <url>%s</url>
                    <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
                    <snapshots><enabled>false</enabled></snapshots>
                """.formatted(seed);
        String settings = """
                <settings>
                  <profiles>
                    <profile>
                      <id>seed</id>
                      <repositories><repository>
                %s      </repository></repositories>
                      <pluginRepositories><pluginRepository>
                %s      </pluginRepository></pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>seed</activeProfile></activeProfiles>
                </settings>
                """.formatted(repository, repository);
        Path file = work.resolve("settings.xml");
        Files.writeString(file, settings);
        return file;
    }

    /** A POM whose build installs the parent POM and each library (with its sources and javadoc jars) into {@code repository}. */
    private String installerPom(Path repository) {
        StringBuilder executions = new StringBuilder(installFile("parent", root.resolve("pom.xml"), root.resolve("pom.xml"), List.of()));
        for (String module : LIBRARIES) {
            Path target = root.resolve(module).resolve("target");
            String base = "greenloop-" + module + "-" + version;
            Path jar = target.resolve(base + ".jar");
            assertTrue(Files.isRegularFile(jar), jar + " is missing: build the libraries first (mvn verify, or -pl bench -am)");
            List<String> extras = new ArrayList<>();
            for (String classifier : List.of("sources", "javadoc")) {
                Path extra = target.resolve(base + "-" + classifier + ".jar");
                if (Files.isRegularFile(extra)) {  // absent when the build skipped them (-Dmaven.javadoc.skip)
                    extras.add("<" + classifier + ">" + extra + "</" + classifier + ">");
                }
            }
            executions.append(installFile(module, jar, root.resolve(module).resolve("pom.xml"), extras));
        }
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>consumer-test</groupId>
                  <artifactId>install-greenloop</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-install-plugin</artifactId>
                        <version>3.1.3</version>
                        <executions>
                %s        </executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(executions);
    }

    private static String installFile(String id, Path file, Path pom, List<String> extras) {
        return """
                          <execution>
                            <id>%s</id>
                            <phase>validate</phase>
                            <goals><goal>install-file</goal></goals>
                            <configuration>
                              <file>%s</file>
                              <pomFile>%s</pomFile>
                              %s
                            </configuration>
                          </execution>
                """.formatted(id, file, pom, String.join("", extras));
    }

    /** The text of the README section that starts with {@code heading}, up to the next section of that level. */
    static String readmeSection(String readme, String heading) {
        int start = readme.indexOf(heading + "\n");
        assertTrue(start >= 0, "README.md has no section " + heading);
        int end = readme.indexOf("\n## ", start + heading.length());
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The first fenced block of {@code language} in {@code text} that contains {@code marker}. */
    static String fencedBlock(String text, String language, String marker) {
        Matcher blocks = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (blocks.find()) {
            if (blocks.group(1).contains(marker)) {
                return blocks.group(1);
            }
        }
        throw new AssertionError("no ```" + language + " block with " + marker + " in:\n" + text);
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null && !value.isBlank(), "system property " + name + " is not set: run this test through Maven (bench/pom.xml sets it)");
        return value;
    }

    private static String lastLines(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
