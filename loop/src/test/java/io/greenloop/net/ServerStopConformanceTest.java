package io.greenloop.net;

import io.greenloop.CapturedLogs;
import io.greenloop.Eventually;
import io.greenloop.LogCapture;
import io.greenloop.LoopExtension;
import io.greenloop.LoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.greenloop.net.Lines.ask;
import static io.greenloop.net.Lines.connect;
import static io.greenloop.net.Lines.reader;
import static io.greenloop.net.Lines.readLine;
import static io.greenloop.net.Lines.send;
import static io.greenloop.net.Lines.writeLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link StreamServer}'s stop, numbers and bean, and TLS across a {@link LoopGroup} ({@link GroupServer}), on the
 * transport under test: the accept queue drained before the listener closes, {@link StreamServer#isStopping()} in a
 * handler, {@link ServerStats} and the {@code io.greenloop:type=Server} bean of a plain and a TLS server, and a
 * group's TLS server logging failed handshakes at DEBUG and counting them.
 */
class ServerStopConformanceTest {

    static final InetSocketAddress ANY_LOCAL_PORT = new InetSocketAddress("127.0.0.1", 0);
    static final Duration GRACE = Duration.ofSeconds(2);

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    /**
     * The test thread owns the loop and does not drive it while its JDK clients connect, so every connection waits
     * in the listener's accept queue when the stop begins. Closing the listener then would reset them all; the stop
     * takes them on first, and each is served (seeing that its server is stopping).
     */
    @Test
    void connectionsInTheAcceptQueueWhenTheStopBeginsAreServedNotReset() throws Exception {
        StreamServer server = new StreamServer(ANY_LOCAL_PORT,
                (socket, peer) -> writeLine(socket, readLine(socket) + ", stopping=" + StreamServer.isStopping()));
        server.start();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                Socket client = connect(server.address());
                send(client, "client " + i);
                clients.add(client);
            }
            assertEquals(0, server.stats().accepted(), "all still in the accept queue");
            server.stop(GRACE);
            assertTrue(server.stopping());
            for (int i = 0; i < clients.size(); i++) {
                String answer = reader(clients.get(i)).readLine();
                assertEquals("client " + i + ", stopping=true", answer);
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        assertEquals(new ServerStats(16, 0, 0, 0, 0, 0), server.stats());
    }

    @Test
    void aPlainServersNumbersAndBeanWhileItServesAndNoBeanAfter() throws Exception {
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> writeLine(socket, readLine(socket)),
                StreamServer.Options.defaults().withIdleTimeout(Duration.ofMillis(200)));
        server.start();
        assertFalse(server.stopping());
        assertFalse(StreamServer.isStopping(), "outside a handler");
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.greenloop:type=Server,name=" + server.name());
        String answer = TlsConformanceTest.offLoop(() -> {
            try (Socket quiet = connect(server.address()); Socket talking = connect(server.address())) {
                String echoed = ask(talking, "hello");
                assertEquals(-1, quiet.getInputStream().read(), "closed by the idle timeout");
                return echoed;
            }
        });
        assertEquals("hello", answer);
        Eventually.await("both connections over", () -> server.stats().open() == 0);
        assertEquals(new ServerStats(2, 0, 0, 1, 0, 0), server.stats());
        Eventually.await("the bean", () -> beans.isRegistered(name));
        assertEquals(2L, beans.getAttribute(name, "Accepted"));
        assertEquals(1L, beans.getAttribute(name, "IdleClosed"));
        server.stop(GRACE);
        Eventually.await("the bean gone", () -> !beans.isRegistered(name));
    }

    /** A server whose loop closes under it, never stopped, is gone with it: its bean too. */
    @Test
    void aServerWhoseLoopClosesTakesItsBeanWithIt() throws Exception {
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        java.util.concurrent.CompletableFuture<ObjectName> registered = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CountDownLatch close = new java.util.concurrent.CountDownLatch(1);
        Thread owner = Thread.ofPlatform().name("loop-closed-under-its-server").start(() -> {
            try (io.greenloop.Loop loop = io.greenloop.Loop.open()) {
                StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> { });
                server.start();
                registered.complete(new ObjectName("io.greenloop:type=Server,name=" + server.name()));
                close.await();
            } catch (Exception e) {
                registered.completeExceptionally(e);
            }
        });
        ObjectName name = registered.get(30, java.util.concurrent.TimeUnit.SECONDS);
        Eventually.awaitOffLoop("the server's bean", () -> beans.isRegistered(name));
        close.countDown();
        owner.join();
        Eventually.awaitOffLoop("the bean gone with the loop", () -> !beans.isRegistered(name));
    }

    /**
     * A TLS server across a group: a TLS client is served; a plain-text client and one that never speaks (the
     * handshake timeout) fail their handshakes, which are DEBUG lines and counted, never errors.
     */
    @Test
    void aGroupsTlsServerServesAndCountsTheHandshakesThatFailAsDebugLines() throws Exception {
        try (LoopGroup group = LoopGroup.start(2)) {
            GroupServer server = group.serveTls(ANY_LOCAL_PORT, TestKeys.server(),
                    StreamServer.Options.defaults().withHandshakeTimeout(Duration.ofMillis(300)),
                    (socket, peer) -> {
                        byte[] buffer = new byte[64];
                        int n = socket.read(buffer, 0, buffer.length);
                        socket.write(buffer, 0, n);
                    });
            int port = server.address().getPort();
            try (SSLSocket tls = (SSLSocket) TestKeys.client().getSocketFactory().createSocket("127.0.0.1", port)) {
                tls.setSoTimeout(30_000);
                tls.getOutputStream().write("over tls".getBytes(StandardCharsets.US_ASCII));
                assertEquals("over tls", new String(tls.getInputStream().readNBytes(8), StandardCharsets.US_ASCII));
            }
            try (Socket plain = connect(server.address())) {
                plain.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                drain(plain);
            }
            try (Socket silent = connect(server.address())) {
                drain(silent);  // the server gives up after its handshake timeout
            }
            Eventually.awaitOffLoop("two failed handshakes counted", () -> server.stats().handshakesFailed() == 2);
            Eventually.awaitOffLoop("every connection over", () -> server.stats().open() == 0);
            server.stop(GRACE);
            assertEquals(new ServerStats(3, 0, 0, 0, 2, 0), server.stats());
        }
        List<LogRecord> debug = logs.records("io.greenloop.StreamServer", Level.FINE);
        List<String> handshakes = debug.stream().map(CapturedLogs::message).filter(m -> m.contains("TLS handshake failed")).toList();
        assertEquals(2, handshakes.size(), CapturedLogs.show(debug));
        List<LogRecord> above = logs.above(Level.FINE).stream()
                .filter(record -> record.getLoggerName().equals("io.greenloop.StreamServer")).toList();
        assertEquals("", CapturedLogs.show(above), "nothing above DEBUG");
    }

    /** Reads until the server closes the connection (or resets it: a failed handshake may end either way). */
    private static void drain(Socket client) {
        try {
            client.getInputStream().readAllBytes();
        } catch (IOException resetByTheServer) {
            // ended all the same
        }
    }
}
