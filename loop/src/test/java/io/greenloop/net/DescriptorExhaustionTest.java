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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Out of descriptors, a server must go on: a child JVM started with {@code ulimit -n 256} serves from class
 * directories (as {@code mvn exec}, IDEs and test runners run it) with its logger cold; this test opens more idle
 * connections than it has descriptors, closes them, and then asks to be served.
 *
 * <p>Two faults it covers. Issue 14: the first accept-failure log record made the JDK's logger load time-zone data,
 * which failed with an {@code Error} under EMFILE, and the accept loop, which caught only {@code IOException}, died.
 * Issue 21: a path that runs only once something fails (the accept's back-off, its log record, a close) needed a
 * greenloop class that had never been loaded, and no class file can be opened without a descriptor: the
 * {@code NoClassDefFoundError} killed the accepting greenlet, and since a failed resolution stays failed (JVMS 5.4.3)
 * no retry could recover. So the child runs with {@code -Xlog:class+load} on its standard output, and no greenloop
 * class may be read from a class directory between "ready" (the server listens) and the last client being served.
 * Hidden classes (lambdas, string concatenation) are made in memory and need no descriptor; jars are open already.
 * Each transport runs it (loop's test-jar, {@code -Dgreenloop.transport=NAME}).
 */
class DescriptorExhaustionTest {

    private static final int DESCRIPTOR_LIMIT = 256;
    private static final int IDLE_CONNECTIONS = 320;
    /** What the last client sends, and the child prints once it has read it: every line before it was written before. */
    private static final String MARK = "mark";

    /** Only for the transport under test, which the child is told to use. */
    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    @Test
    void aServerOutOfDescriptorsRecoversAndServesOnceThePeerLetsGoWithoutLoadingAClass() throws Exception {
        assumeTrue(new File("/proc/self/fd").isDirectory() && new File("/bin/bash").canExecute(), "needs Linux /proc and bash");
        Process child = startChild();
        ChildOutput out = ChildOutput.read(child.getInputStream());
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
            String ready = out.awaitLineStartingWith("ready ");
            assertTrue(ready != null, () -> "the child did not start:\n" + log);
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
                assertEquals("hi", readLineOrSay(greeting), () -> "a client after the exhaustion was served; the child's log:\n" + log
                        + "\ngreenloop classes it read from a class directory after ready: " + out.greenloopClassesFromDirectoriesBetween("ready ", MARK));
                client.getOutputStream().write((MARK + "\n").getBytes(StandardCharsets.US_ASCII));
                assertTrue(out.awaitLineStartingWith(MARK) != null, "the child printed the mark");
            }
            List<String> loadedWhileServing = out.greenloopClassesFromDirectoriesBetween("ready ", MARK);
            assertEquals(List.of(), loadedWhileServing, "greenloop classes read from a class directory while serving");
        } finally {
            child.toHandle().destroy();  // not Process.destroy(): that closes the stderr the log reader may still be reading
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            logReader.join(5_000);
        }
    }

    private static String readLineOrSay(BufferedReader reader) throws IOException {
        try {
            return reader.readLine();
        } catch (java.net.SocketTimeoutException e) {
            return "(nothing came: " + e + ")";
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

    private Process startChild() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder("/bin/bash", "-c", "ulimit -n " + DESCRIPTOR_LIMIT + " && exec \"$0\" \"$@\"",
                java, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load:stdout", "-Dgreenloop.maxBlockingMillis=0", "-cp", classPath,
                LowLimitServer.class.getName(), loops.loop().transport());
        // A zone other than UTC: the logger's first record then reads tzdb.dat, which failed under EMFILE.
        builder.environment().put("TZ", "Europe/Berlin");
        return builder.start();
    }

    /** The child's standard output, read as it comes: its own lines and the JVM's class-load lines, in the order written. */
    private static final class ChildOutput {

        private final List<String> lines = new ArrayList<>();
        private boolean ended;

        static ChildOutput read(java.io.InputStream stream) {
            ChildOutput output = new ChildOutput();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        output.add(line);
                    }
                } catch (IOException e) {
                    // the child is gone: what was read is all there is
                } finally {
                    output.end();
                }
            });
            return output;
        }

        private synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        private synchronized void end() {
            ended = true;
            notifyAll();
        }

        /** The first line that starts with {@code prefix}, waiting up to 60 s for it; null when the child ended without one. */
        synchronized String awaitLineStartingWith(String prefix) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                for (String line : lines) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                long left = end - System.nanoTime();
                if (ended || left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /**
         * The greenloop classes the JVM read from a class directory (not a jar, not made in memory) after the line
         * starting with {@code from} and before the one starting with {@code to}. A class-load line reads
         * "[0.123s][info][class,load] io.greenloop.Name source: file:/path/to/classes/".
         */
        synchronized List<String> greenloopClassesFromDirectoriesBetween(String from, String to) {
            List<String> loaded = new ArrayList<>();
            boolean inside = false;
            for (String line : lines) {
                if (line.startsWith(from)) {
                    inside = true;
                } else if (line.startsWith(to)) {
                    break;
                } else if (inside && line.contains("[class,load] io.greenloop.")) {
                    int source = line.indexOf(" source: file:");
                    if (source >= 0 && !line.endsWith(".jar")) {
                        loaded.add(line.substring(line.indexOf("io.greenloop."), source));
                    }
                }
            }
            return loaded;
        }
    }

    /**
     * The child: a greeting server whose handlers hold each connection until the client closes it, and print the
     * mark when a client sends it. Its logger is left cold on purpose, and it loads nothing ahead.
     */
    public static final class LowLimitServer {

        /** Ends by itself after this long, should the test never get to end it. */
        private static final Duration LIFETIME = Duration.ofSeconds(90);

        private LowLimitServer() {
        }

        /** Entry point of the child JVM: {@code transport}. */
        public static void main(String[] args) throws Exception {
            // As in a program that configured logging at start but has not logged yet: the first record then
            // needs the time-zone data (the test sets a zone other than UTC), a file it cannot open.
            java.util.logging.LogManager.getLogManager().getLogger("").getHandlers();
            try (Loop loop = Loop.open(args[0])) {
                StreamServer server = new StreamServer(new InetSocketAddress("127.0.0.1", 0), (socket, peer) -> {
                    socket.write("hi\n".getBytes(StandardCharsets.US_ASCII), 0, 3);
                    byte[] sink = new byte[64];
                    for (int n = socket.read(sink, 0, sink.length); n >= 0; n = socket.read(sink, 0, sink.length)) {
                        if (n > 0 && sink[0] == MARK.charAt(0)) {
                            System.out.println(MARK);
                            System.out.flush();
                        }
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
    }
}
