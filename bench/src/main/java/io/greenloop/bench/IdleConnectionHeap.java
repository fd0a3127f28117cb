package io.greenloop.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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

    /** The connections that open, ask once with {@code Connection: close} and close, side by side, in {@link #churn}. */
    static final int CHURN_CONNECTIONS = 16;
    /** How long {@link #churn} goes on: thousands of connections on one loop, as {@code wrk}'s churn in {@code hist.sh}. */
    static final Duration CHURN = Duration.ofSeconds(2);
    /**
     * At most this many connections in one {@link #churn}: a peer that leaves the closing to the client puts each in
     * TIME_WAIT on the client's side for a minute, and Linux's ephemeral ports number about 28,000.
     */
    static final int CHURN_LIMIT = 10_000;

    /** How long the server gets to end the rehearsal's connections before the first reading. */
    private static final long REHEARSAL_SETTLE_MILLIS = 1000;

    /** The request of {@link #churn}: {@link RequestFraming#REQUEST} asking the server to close after its answer. */
    private static final byte[] CLOSING_REQUEST = ("GET / HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "Connection: close\r\n"
            + "\r\n").getBytes(StandardCharsets.US_ASCII);

    /**
     * Opens and closes connections to {@code server} for {@link #CHURN} ({@link #CHURN_LIMIT} at most),
     * {@link #CHURN_CONNECTIONS} at a time, each asking once with {@code Connection: close}: the second half of
     * every peer's warm-up before its heap is read, after keep-alive load. A server that starts a thread, greenlet
     * or channel per connection reaches its steady per-connection state only after many have come and gone:
     * greenloop's first parked stacks, for one, are larger than later ones (up to 4.7 KB against 2.4 KB per idle
     * connection measured without churn, issue 22), so a reading after keep-alive load alone would charge it for
     * its cold start. Blocks until done.
     */
    static void churn(ServerProcess server) throws IOException, InterruptedException {
        long end = System.nanoTime() + CHURN.toNanos();
        AtomicReference<IOException> failure = new AtomicReference<>();
        AtomicInteger opened = new AtomicInteger();
        List<Thread> clients = new ArrayList<>(CHURN_CONNECTIONS);
        for (int i = 0; i < CHURN_CONNECTIONS; i++) {
            clients.add(Thread.ofPlatform().name("churn-" + i).start(() -> {
                try {
                    while (System.nanoTime() < end && failure.get() == null && opened.incrementAndGet() <= CHURN_LIMIT) {
                        askOnceAndClose(server.port());
                    }
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        if (failure.get() != null) {
            throw new IOException("the churn warm-up of " + server.name() + " failed", failure.get());
        }
    }

    /** One connection of {@link #churn}: one request with {@code Connection: close}, its answer read, then closed. */
    private static void askOnceAndClose(int port) throws IOException {
        try (Socket socket = HttpProbe.connect(port)) {
            socket.getOutputStream().write(CLOSING_REQUEST);
            HttpProbe.readResponse(new BufferedInputStream(socket.getInputStream()));
        }
    }

    /** Bytes per idle connection of {@code server} (warmed up, {@link #churn} included), with {@code count} connections. */
    static double bytesPerConnection(ServerProcess server, int count) throws IOException, InterruptedException {
        // A rehearsal first, closed before the reading: the first burst of connections that go idle together runs
        // code that keep-alive load and churn did not (a new connection parks at once), and a JIT that compiles or
        // deoptimizes it meanwhile leaves bigger interpreted frames in the stacks parked then (issue 22: the same
        // greenloop reading moved between 1.7 and 2.1 KB without it, Netty codec's by a few bytes).
        List<Socket> rehearsal = openIdle(server, count);
        rehearsal.forEach(EchoPeers::closeQuietly);
        Thread.sleep(REHEARSAL_SETTLE_MILLIS);
        long before = liveBytes(server.pid());
        List<Socket> sockets = openIdle(server, count);
        try {
            long after = liveBytes(server.pid());
            return (after - before) / (double) count;
        } finally {
            sockets.forEach(EchoPeers::closeQuietly);
        }
    }

    /** {@code count} connections to {@code server}, each answered once and now idle; closed again if one fails. */
    private static List<Socket> openIdle(ServerProcess server, int count) throws IOException {
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
            return sockets;
        } catch (IOException | RuntimeException e) {
            sockets.forEach(EchoPeers::closeQuietly);
            throw e;
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
