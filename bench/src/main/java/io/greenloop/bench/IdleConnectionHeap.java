package io.greenloop.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Heap bytes per idle keep-alive connection of a JVM server in another process: live heap (after the full collection
 * that {@code jcmd PID GC.class_histogram} makes, exact to the byte) with {@code count} connections open, each
 * having been answered once and now idle, minus live heap before they were opened, divided by {@code count}. What
 * a server keeps per connection while it waits for the next request: its buffers, its connection and socket
 * objects, a parked virtual thread's stack. Thread rule: one thread; it blocks until done.
 */
final class IdleConnectionHeap {

    /** How long one {@code jcmd} may take: a histogram of a 512 MiB heap takes well under a second. */
    private static final long JCMD_TIMEOUT_SECONDS = 120;

    private IdleConnectionHeap() {
    }

    /** Bytes per idle connection of {@code server} (warmed up already), with {@code count} connections. */
    static double bytesPerConnection(ServerProcess server, int count) throws IOException, InterruptedException {
        long before = liveBytes(server.pid());
        List<Socket> sockets = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = HttpProbe.connect(server.port());
                sockets.add(socket);
                socket.getOutputStream().write(RequestFraming.REQUEST);
            }
            for (Socket socket : sockets) {
                // Nothing follows the one answer, so a buffered stream reads no further than it.
                HttpProbe.readResponse(new BufferedInputStream(socket.getInputStream()));
            }
            long after = liveBytes(server.pid());
            return (after - before) / (double) count;
        } finally {
            sockets.forEach(EchoPeers::closeQuietly);
        }
    }

    /** Live heap bytes of JVM {@code pid}: the "Total" line of its class histogram, which collects garbage first. */
    static long liveBytes(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process process = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.class_histogram failed:\n" + output);
        }
        return totalBytes(output);
    }

    /** The byte count of a class histogram's {@code Total  INSTANCES  BYTES} line. */
    static long totalBytes(String histogram) throws IOException {
        for (String line : histogram.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 3 && fields[0].equals("Total")) {
                return Long.parseLong(fields[2]);
            }
        }
        throw new IOException("no \"Total\" line in the class histogram:\n" + histogram);
    }
}
