package io.greenloop.net;

import io.greenloop.CapturedLogs;
import io.greenloop.Eventually;
import io.greenloop.Loop;
import io.greenloop.LoopGroup;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a server logs (issue 21, item 7): what peers do every day (reset, broken pipe, end of stream, idle timeout, a
 * failed TLS handshake, plain text on a TLS port) is one DEBUG line on "io.greenloop.StreamServer" naming the server
 * and the peer, and nothing above DEBUG; a handler's own exception is one error naming the server, the peer and the
 * greenlet. Caught with a real java.util.logging handler ({@link CapturedLogs}); each server runs on a loop of its
 * own on another thread, with the loop's default error handler (the test's loop would keep the errors to itself),
 * on the transport under test. The clients are the JDK's blocking sockets on the test thread.
 */
class StreamServerLoggingTest {

    private static final String SERVER_LOG = "io.greenloop.StreamServer";
    private static final int RESETS = 100;
    /** Echoes until the end of the stream (or until a reset ends it). */
    private static final StreamServer.Handler ECHO = (socket, peer) -> {
        byte[] buffer = new byte[64];
        for (int n = socket.read(buffer, 0, buffer.length); n >= 0; n = socket.read(buffer, 0, buffer.length)) {
            socket.write(buffer, 0, n);
        }
    };

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.start();
    }

    @AfterEach
    void releaseLogs() {
        logs.close();
    }

    @Test
    void aHundredResetsAreAHundredDebugLinesAndNothingAbove() throws Exception {
        List<Integer> peers = new ArrayList<>();
        String server;
        try (ServerOnItsOwnLoop echo = ServerOnItsOwnLoop.plain(transport(), StreamServer.Options.defaults(), ECHO)) {
            server = echo.name;
            for (int i = 0; i < RESETS; i++) {
                peers.add(echoOnceThenReset(echo.port));
            }
        }
        List<LogRecord> records = notTheMonitors(logs.records());
        System.out.println("log lines per " + RESETS + " resets on " + transport() + ": "
                + CapturedLogs.lines(notTheMonitors(logs.above(Level.CONFIG))) + " at INFO and above, "
                + CapturedLogs.lines(records) + " with DEBUG; the first record:" + CapturedLogs.show(records.subList(0, 1)));
        assertOnlyDebugLines(server, peers);
    }

    @Test
    void resetsOnALoopGroupsConnectionsAreDebugLinesOnEveryLoop() throws Exception {
        List<Integer> peers = new ArrayList<>();
        String server;
        try (LoopGroup group = LoopGroup.start(2, transport())) {
            // Connections go round the loops: on a transport without balanced listeners, the acceptor hands them over.
            GroupServer served = group.serve(new InetSocketAddress("127.0.0.1", 0), StreamServer.Options.defaults(), ECHO);
            InetSocketAddress address = served.address();
            server = served.name() + "[" + address;
            for (int i = 0; i < 10; i++) {
                peers.add(echoOnceThenReset(address.getPort()));
            }
            Eventually.await("one DEBUG line per reset", () -> logs.records(SERVER_LOG, Level.FINE).size() >= peers.size());
        }
        assertOnlyDebugLines(server, peers);
    }

    @Test
    void aBrokenPipeIsADebugLine() throws Exception {
        List<Integer> peers = new ArrayList<>();
        String writerName;
        try (ServerOnItsOwnLoop writer = ServerOnItsOwnLoop.plain(transport(), StreamServer.Options.defaults(), (socket, peer) -> {
            byte[] chunk = new byte[64 * 1024];
            while (true) {
                socket.write(chunk, 0, chunk.length); // until the peer's reset breaks the pipe
            }
        })) {
            writerName = writer.name;
            try (Socket client = new Socket("127.0.0.1", writer.port)) {
                client.getInputStream().readNBytes(1024);
                client.setSoLinger(true, 0);
                peers.add(client.getLocalPort());
            }
        }
        assertOnlyDebugLines(writerName, peers);
    }

    @Test
    void anEndOfStreamAndAnIdleTimeoutAreDebugLines() throws Exception {
        List<Integer> peers = new ArrayList<>();
        String readerName;
        StreamServer.Options idleAfter200Ms = StreamServer.Options.defaults().withIdleTimeout(Duration.ofMillis(200));
        try (ServerOnItsOwnLoop reader = ServerOnItsOwnLoop.plain(transport(), idleAfter200Ms, (socket, peer) ->
                new DataInputStream(socket.inputStream()).readFully(new byte[100]))) {
            readerName = reader.name;
            try (Socket ending = new Socket("127.0.0.1", reader.port)) {
                ending.getOutputStream().write(new byte[10]); // then the end of the stream, 90 bytes short
                peers.add(ending.getLocalPort());
            }
            try (Socket quiet = new Socket("127.0.0.1", reader.port)) {
                peers.add(quiet.getLocalPort());
                quiet.setSoTimeout(30_000);
                assertEquals(-1, quiet.getInputStream().read(), "the idle connection was closed");
            }
        }
        assertOnlyDebugLines(readerName, peers);
    }

    @Test
    void aFailedTlsHandshakeAndPlainTextOnATlsPortAreDebugLines() throws Exception {
        List<Integer> peers = new ArrayList<>();
        String server;
        try (ServerOnItsOwnLoop tls = ServerOnItsOwnLoop.tls(transport(), (socket, peer) -> socket.write(new byte[] {1}, 0, 1))) {
            server = tls.name;
            try (Socket plain = new Socket("127.0.0.1", tls.port)) {
                plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                peers.add(plain.getLocalPort());
                plain.setSoTimeout(30_000);
                drain(plain.getInputStream()); // the server's alert, then the end
            }
            try (Socket gone = new Socket("127.0.0.1", tls.port)) {
                gone.getOutputStream().write(new byte[] {22, 3, 1}); // the start of a ClientHello, then the end
                peers.add(gone.getLocalPort());
                gone.shutdownOutput();
                gone.setSoTimeout(30_000);
                drain(gone.getInputStream());
            }
        }
        assertOnlyDebugLines(server, peers);
    }

    @Test
    void aHandlersOwnExceptionIsOneErrorNamingTheServerThePeerAndTheGreenlet() throws Exception {
        IllegalStateException bug = new IllegalStateException("the handler's own bug");
        int peer;
        String server;
        try (ServerOnItsOwnLoop failing = ServerOnItsOwnLoop.plain(transport(), StreamServer.Options.defaults(), (socket, from) -> {
            throw bug;
        })) {
            server = failing.name;
            try (Socket client = new Socket("127.0.0.1", failing.port)) {
                peer = client.getLocalPort();
                client.setSoTimeout(30_000);
                assertEquals(-1, client.getInputStream().read(), "the server closed the connection");
            }
        }
        List<LogRecord> errors = aboveDebug();
        assertEquals(1, errors.size(), () -> "one record above DEBUG: " + CapturedLogs.show(errors));
        LogRecord error = errors.getFirst();
        String message = CapturedLogs.message(error);
        assertEquals(Level.SEVERE, error.getLevel(), message);
        assertEquals(SERVER_LOG, error.getLoggerName(), message);
        assertSame(bug, error.getThrown(), message);
        assertTrue(message.contains(server) && message.contains(":" + peer) && message.matches(".*Greenlet-\\d+.*"),
                () -> "names the server " + server + ", the peer's port " + peer + " and the greenlet: " + message);
    }

    /**
     * Greenloop's records above DEBUG but the blocked-loop monitor's: a first TLS handshake's key work, or a loaded
     * machine, can hold the server's loop past its limit, which that monitor rightly reports; it is not about peers.
     */
    private List<LogRecord> aboveDebug() {
        return notTheMonitors(logs.above(Level.FINE));
    }

    private static List<LogRecord> notTheMonitors(List<LogRecord> records) {
        return records.stream().filter(r -> !r.getLoggerName().equals("io.greenloop.BlockingMonitor")).toList();
    }

    /**
     * Nothing above DEBUG, and one DEBUG record on the server's logger per peer, one line each, with no stack, naming
     * the server and that peer.
     */
    private void assertOnlyDebugLines(String server, List<Integer> peers) {
        assertEquals("", CapturedLogs.show(aboveDebug()), () -> "nothing above DEBUG: " + logs.counts());
        List<LogRecord> debug = logs.records(SERVER_LOG, Level.FINE);
        assertEquals(peers.size(), debug.size(), () -> "one DEBUG record per connection: " + CapturedLogs.show(logs.records()));
        for (int i = 0; i < peers.size(); i++) {
            int port = peers.get(i);
            java.util.regex.Pattern peer = java.util.regex.Pattern.compile("/127\\.0\\.0\\.1:" + port + "(?!\\d)");
            List<String> naming = debug.stream().map(CapturedLogs::message).filter(m -> peer.matcher(m).find()).toList();
            assertEquals(1, naming.size(), () -> "one record names the peer's port " + port + ": " + debug.stream().map(CapturedLogs::message).toList());
            String message = naming.getFirst();
            assertTrue(message.contains(server) && !message.contains("\n"), () -> "one line naming " + server + ": " + message);
        }
        for (LogRecord record : debug) {
            assertNull(record.getThrown(), () -> "no stack trace: " + CapturedLogs.message(record));
        }
    }

    /** Connects, has one byte echoed (the handler now waits in its next read), and closes with a reset; returns its port. */
    private static int echoOnceThenReset(int port) throws IOException {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write(1);
            assertEquals(1, client.getInputStream().read(), "echoed");
            client.setSoLinger(true, 0); // the close sends a reset
            return client.getLocalPort();
        }
    }

    private String transport() {
        return loops.loop().transport();
    }

    private static void drain(InputStream in) {
        try {
            in.readAllBytes();
        } catch (IOException resetByTheServer) {
            // the server may answer plain text with a reset: the end all the same
        }
    }

    /**
     * A server on a loop of its own, on a platform thread, with the loop's default error handler. {@link #close()}
     * stops it (waiting for its handlers, up to a generous grace) and waits for its thread: by then every record its
     * connections made has been logged.
     */
    private static final class ServerOnItsOwnLoop implements AutoCloseable {

        private static final Duration GRACE = Duration.ofSeconds(30);

        final String name;
        final int port;
        private final Loop loop;
        private final StreamServer server;
        private final Thread thread;

        private ServerOnItsOwnLoop(Loop loop, StreamServer server, Thread thread) {
            this.loop = loop;
            this.server = server;
            this.thread = thread;
            this.name = server.name() + "[" + server.address();
            this.port = server.address().getPort();
        }

        static ServerOnItsOwnLoop plain(String transport, StreamServer.Options options, StreamServer.Handler handler) throws Exception {
            return start(transport, () -> new StreamServer(new InetSocketAddress("127.0.0.1", 0), handler, options));
        }

        static ServerOnItsOwnLoop tls(String transport, StreamServer.TlsHandler handler) throws Exception {
            return start(transport, () -> StreamServer.tls(new InetSocketAddress("127.0.0.1", 0), TestKeys.server(), handler));
        }

        private static ServerOnItsOwnLoop start(String transport, java.util.function.Supplier<StreamServer> servers) throws Exception {
            CompletableFuture<ServerOnItsOwnLoop> started = new CompletableFuture<>();
            Thread thread = Thread.ofPlatform().name("server-loop").start(() -> {
                try (Loop loop = Loop.open(transport)) {
                    StreamServer server = servers.get();
                    server.start();
                    started.complete(new ServerOnItsOwnLoop(loop, server, Thread.currentThread()));
                    server.serveForever();
                } catch (Throwable e) {
                    started.completeExceptionally(e);
                }
            });
            try {
                return started.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                thread.interrupt();
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            loop.execute(() -> loop.spawn(() -> server.stop(GRACE)));
            thread.join(GRACE.multipliedBy(2));
            assertTrue(!thread.isAlive(), "the server's loop ended");
        }
    }
}
