package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long runs of issue 14's fault suite, with the JVM's descriptors, threads and heap checked against
 * where they started: 20,000 connect/echo/close cycles, and a soak in which a third of the connections
 * close normally, a third reset and a third half-close. The soak lasts {@value #DEFAULT_SOAK_SECONDS} s in
 * CI; {@code -Dgreenloop.soakSeconds=N} makes it longer. Each prints its figures.
 */
class SoakTest {

    /** The longest any one test waits for its greenlets: generous, for a shared 2-core machine. */
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();


    static final int DEFAULT_SOAK_SECONDS = 15;
    private static final int CYCLES = 20_000;
    private static final int CLIENTS = 8;
    /** Descriptors and threads may differ from the start by this much: the JDK's own come and go (a JIT thread, say). */
    private static final int SLACK = 2;
    /** What the heap may grow by over a run, after a GC at each end: far below what a leak per connection would show. */
    private static final long HEAP_GROWTH_BYTES = 32L << 20;

    @Test
    void twentyThousandConnectEchoCloseCyclesLeaveDescriptorsAndThreadsWhereTheyWere() throws Exception {
        StreamServer server = echoServer();
        Baseline before = Baseline.take();
        List<Greenlet<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            clients.add(Green.spawn(() -> {
                byte[] ping = {1, 2, 3, 4};
                for (int i = 0; i < CYCLES / CLIENTS; i++) {
                    try (TcpSocket socket = TcpSocket.connect(server.address(), Duration.ofSeconds(10))) {
                        socket.write(ping, 0, ping.length);
                        assertArrayEquals(ping, NetConformanceTest.readFully(socket, ping.length));
                    }
                }
                return CYCLES / CLIENTS;
            }));
        }
        loops.joinAllOrFail(clients, LIMIT);
        server.stop(Duration.ofSeconds(5));
        Baseline after = Baseline.take();
        System.out.println("connect/close[" + loops.loop().transport() + "]: " + CYCLES + " cycles; " + before.compare(after));
        before.assertUnchangedBy(after);
    }

    @Test
    void aSoakOfEchoesResetsAndHalfClosesEndsWithNothingLeakedAndNoErrors() throws Exception {
        long seconds = Long.getLong("greenloop.soakSeconds", DEFAULT_SOAK_SECONDS);
        StreamServer server = echoServer();
        Baseline before = Baseline.take();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long[] roundTrips = new long[CLIENTS];
        long[] connections = new long[CLIENTS];
        List<Greenlet<Void>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(Green.spawn(() -> {
                byte[] message = new byte[512];
                for (long n = 0; System.nanoTime() - end < 0; n++) {
                    TcpSocket socket = TcpSocket.connect(server.address(), Duration.ofSeconds(10));
                    connections[client]++;
                    for (int i = 0; i < 10; i++) {
                        socket.write(message, 0, message.length);
                        NetConformanceTest.readFully(socket, message.length);
                        roundTrips[client]++;
                    }
                    endConnection(socket, (int) (n % 3));
                }
            }));
        }
        loops.joinAllOrFail(clients, LIMIT);
        server.stop(Duration.ofSeconds(5));
        Baseline after = Baseline.take();
        long trips = sum(roundTrips);
        long connected = sum(connections);
        System.out.println("soak[" + loops.loop().transport() + "]: " + seconds + " s, " + trips + " round trips, " + connected
                + " connections; " + before.compare(after));
        assertTrue(connected > CLIENTS, "the soak made connections: " + connected);
        before.assertUnchangedBy(after);
    }

    /** Closes normally (0), with a reset (1: SO_LINGER 0), or half-closes and reads the end first (2). */
    private static void endConnection(TcpSocket socket, int how) throws IOException {
        try {
            if (how == 1) {
                socket.setOption(StandardSocketOptions.SO_LINGER, 0);
            } else if (how == 2) {
                socket.shutdownOutput();
                assertEquals(-1, socket.read(new byte[1], 0, 1), "the server closes after our FIN");
            }
        } finally {
            socket.close();
        }
    }

    /** Echoes until the peer ends; a reset is one of the ways this suite's peers end, so it is no error. */
    private static StreamServer echoServer() throws IOException {
        StreamServer server = new StreamServer(NetConformanceTest.ANY_LOCAL_PORT, (socket, peer) -> {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = socket.read(buffer, 0, buffer.length)) >= 0) {
                    socket.write(buffer, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // the peer reset the connection
            }
        });
        server.start();
        return server;
    }

    /** This JVM's open descriptors, from {@code /proc/self/fd} (-1 where there is no such directory). */
    private static int openDescriptors() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }

    /** Descriptors, threads and heap after a GC, at one moment. */
    private record Baseline(int descriptors, int threads, long heapBytes) {

        static Baseline take() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            return new Baseline(openDescriptors(), ManagementFactory.getThreadMXBean().getThreadCount(),
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }

        String compare(Baseline after) {
            return "descriptors " + descriptors + " -> " + after.descriptors + ", threads " + threads + " -> " + after.threads
                    + ", heap " + (heapBytes >> 20) + " MB -> " + (after.heapBytes >> 20) + " MB";
        }

        void assertUnchangedBy(Baseline after) {
            assertTrue(after.descriptors <= descriptors + SLACK, "descriptors leaked: " + compare(after));
            assertTrue(after.threads <= threads + SLACK, "threads leaked: " + compare(after));
            assertTrue(after.heapBytes <= heapBytes + HEAP_GROWTH_BYTES, "the heap grew: " + compare(after));
        }
    }
}
