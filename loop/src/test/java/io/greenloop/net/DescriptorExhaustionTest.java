package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Loop;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 14, fault 1: out of descriptors, a server once stopped accepting for good. Its first accept-failure
 * log record made the JDK's logger load time-zone data, which failed with an {@code Error} under EMFILE;
 * the accept loop caught only {@code IOException}, so the accepting greenlet died while the server still
 * said it was serving. Here a child JVM started with {@code ulimit -n 256} serves, with its logger cold;
 * this test opens more idle connections than it has descriptors, closes them, and then asks to be served.
 * (Reproduced with the old accept loop: its greenlet died of "Error: FileNotFoundException: tzdb.dat (Too
 * many open files)" and the last client was never served.)
 * Each transport runs it (loop's test-jar, {@code -Dgreenloop.transport=NAME}).
 */
class DescriptorExhaustionTest {

    private static final int DESCRIPTOR_LIMIT = 256;
    private static final int IDLE_CONNECTIONS = 320;

    /** Only for the transport under test, which the child is told to use. */
    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    @Test
    void aServerOutOfDescriptorsRecoversAndServesOnceThePeerLetsGo() throws Exception {
        assumeTrue(new File("/proc/self/fd").isDirectory() && new File("/bin/bash").canExecute(), "needs Linux /proc and bash");
        Process child = startChild();
        StringBuilder log = new StringBuilder();
        Thread logReader = Thread.ofPlatform().daemon().start(() -> {
            try {
                String text = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (log) {
                    log.append(text);
                }
            } catch (IOException e) {
                // the failure message shows what was read
            }
        });
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("ready "), () -> "the child did not start: " + ready + "\n" + log);
            int port = Integer.parseInt(ready.substring("ready ".length()).trim());
            List<Socket> idle = new ArrayList<>();
            for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                idle.add(new Socket("127.0.0.1", port)); // the kernel completes these; the child's accepts run out
            }
            assertTrue(awaitDescriptors(child.pid(), DESCRIPTOR_LIMIT - 8), "the child never ran out of descriptors");
            Thread.sleep(500); // several failed accepts, and the first one's log record, happen now
            for (Socket socket : idle) {
                socket.close();
            }
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(30_000);
                BufferedReader greeting = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                String line = greeting.readLine();
                assertEquals("hi", line, () -> "a client after the exhaustion was served; the child's log:\n" + log);
            }
        } finally {
            child.toHandle().destroy();  // not Process.destroy(): that closes the stderr the log reader may still be reading
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            logReader.join(5_000);
        }
    }

    private static boolean awaitDescriptors(long pid, int atLeast) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - end < 0) {
            String[] fds = new File("/proc/" + pid + "/fd").list();
            if (fds != null && fds.length >= atLeast) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private Process startChild() throws IOException, URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String classes = Path.of(Loop.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", "-c", "ulimit -n " + DESCRIPTOR_LIMIT + " && exec \"$0\" \"$@\"",
                java, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Dgreenloop.maxBlockingMillis=0", "-cp", classPath, LowLimitServer.class.getName(), loops.loop().transport(), classes);
        // A zone other than UTC: the logger's first record then reads tzdb.dat, which failed under EMFILE.
        builder.environment().put("TZ", "Europe/Berlin");
        return builder.start();
    }

    /**
     * The child: a greeting server whose handlers hold each connection until the client closes it. Its
     * logger is left cold on purpose. It loads greenloop's classes first when they come from a directory,
     * since out of descriptors no class file could be opened (classes in an open jar load fine).
     */
    public static final class LowLimitServer {

        /** Ends by itself after this long, should the test never get to end it. */
        private static final Duration LIFETIME = Duration.ofSeconds(90);

        private LowLimitServer() {
        }

        /** Entry point of the child JVM: {@code transport classesLocation}. */
        public static void main(String[] args) throws Exception {
            preloadClasses(Path.of(args[1]));
            // As in a program that configured logging at start but has not logged yet: the first record then
            // needs the time-zone data (the test sets a zone other than UTC), a file it cannot open.
            java.util.logging.LogManager.getLogManager().getLogger("").getHandlers();
            try (Loop loop = Loop.open(args[0])) {
                StreamServer server = new StreamServer(new InetSocketAddress("127.0.0.1", 0), (socket, peer) -> {
                    socket.write("hi\n".getBytes(StandardCharsets.US_ASCII), 0, 3);
                    byte[] sink = new byte[64];
                    while (socket.read(sink, 0, sink.length) >= 0) {
                        // hold the connection (and its descriptor) until the client closes it
                    }
                });
                // Not the logger, which stays cold: stderr, for the test's failure message.
                loop.errorHandler((greenlet, error) -> System.err.println((greenlet == null ? "a callback" : greenlet.name()) + " failed: " + error));
                server.start();
                loop.schedule(LIFETIME, () -> loop.spawn(() -> server.stop(Duration.ZERO)));
                System.out.println("ready " + server.address().getPort());
                System.out.flush();
                Green.sleep(Duration.ZERO);
                server.serveForever();
            }
        }

        private static void preloadClasses(Path classes) throws IOException, ClassNotFoundException {
            if (!Files.isDirectory(classes)) {
                return;
            }
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = classes.relativize(file).toString().replace(File.separatorChar, '.');
                    Class.forName(name.substring(0, name.length() - ".class".length()), false, LowLimitServer.class.getClassLoader());
                }
            }
        }
    }
}
