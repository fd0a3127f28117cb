package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TLS suite: {@link TlsSocket} and {@link StreamServer#tls} against themselves and against the JDK's own
 * TLS (SSLSocket, SSLServerSocket, HttpClient), with certificates made at test time ({@link TestKeys}). Like
 * {@link NetConformanceTest} it runs on the transport {@link LoopExtension} picks, so every transport module
 * re-runs it unchanged from loop's test-jar. The JDK's blocking peers run on platform threads while the test
 * thread drives the loop.
 */
public class TlsConformanceTest {

    static final Duration LIMIT = Duration.ofSeconds(60);
    static final InetSocketAddress ANY_LOCAL_PORT = new InetSocketAddress("127.0.0.1", 0);

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    protected Loop loop;
    private final List<StreamServer> servers = new ArrayList<>();

    @BeforeEach
    void takeTheLoop() {
        loop = loops.loop();
    }

    @AfterEach
    void closeServers() {
        servers.forEach(StreamServer::close);
    }

    private StreamServer started(StreamServer server) throws IOException {
        server.start();
        servers.add(server);
        return server;
    }

    private StreamServer echoServer() throws IOException {
        return started(StreamServer.tls(ANY_LOCAL_PORT, TestKeys.server(), TlsConformanceTest::echo));
    }

    static void echo(TlsSocket socket, InetSocketAddress peer) throws IOException {
        byte[] buffer = new byte[8192];
        for (int n; (n = socket.read(buffer, 0, buffer.length)) > 0; ) {
            socket.write(buffer, 0, n);
        }
    }

    static byte[] readFully(TlsSocket socket, int length) throws IOException {
        return NetConformanceTest.readFully(socket::read, length);
    }

    static byte[] pattern(int length, int seed) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 31 + seed + (i >>> 13));
        }
        return data;
    }

    /** Runs {@code body} on a platform thread (the JDK's blocking TLS) while this thread drives the loop. */
    static <T> T offLoop(Callable<T> body) throws Exception {
        return awaitDrivingTheLoop(onPlatformThread("jdk-tls-peer", body));
    }

    /** Starts {@code body} on a platform thread called {@code name}: a JDK blocking peer, off the loop. */
    static <T> CompletableFuture<T> onPlatformThread(String name, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Waits for {@code peer}, {@link #LIMIT} at most, while this thread drives the loop (the peer may need it). */
    static <T> T awaitDrivingTheLoop(CompletableFuture<T> peer) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!peer.isDone() && System.nanoTime() - deadline < 0) {
            Green.sleep(Duration.ofMillis(5));
        }
        return peer.get(0, TimeUnit.SECONDS);
    }

    private TlsSocket localClient(StreamServer server, SSLContext context, String peerHost) throws IOException {
        TcpSocket tcp = TcpSocket.connect(server.address(), Duration.ofSeconds(10));
        TlsSocket tls = TlsSocket.client(tcp, context, peerHost);
        tls.setTimeout(LIMIT);
        return tls;
    }

    @Test
    void greenloopClientEchoesThroughGreenloopServerOnTls13() throws Exception {
        StreamServer server = echoServer();
        try (TlsSocket client = TlsSocket.connect("127.0.0.1", server.address().getPort(), TestKeys.client())) {
            assertEquals("TLSv1.3", client.session().getProtocol());
            assertEquals("", client.applicationProtocol());
            for (int round = 0; round < 20; round++) {
                byte[] message = ("round " + round + " ").repeat(round * 50 + 1).getBytes(StandardCharsets.US_ASCII);
                client.write(message, 0, message.length);
                assertArrayEquals(message, readFully(client, message.length));
            }
        }
    }

    @Test
    void manyClientsAtOnceEachInItsGreenlet() throws Exception {
        StreamServer server = echoServer();
        SSLContext context = TestKeys.client();
        List<Greenlet<byte[]>> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] message = pattern(40_000, i);
            clients.add(Green.spawn(() -> {
                try (TlsSocket client = localClient(server, context, "localhost")) {
                    client.write(message, 0, message.length);
                    return Arrays.equals(message, readFully(client, message.length)) ? message : null;
                }
            }));
        }
        assertEquals(clients.size(), Green.joinAll(clients, LIMIT).size());
        for (Greenlet<byte[]> client : clients) {
            assertTrue(client.value() != null, () -> client + " got other bytes back, or failed: " + client.exception());
        }
    }

    @Test
    void jdkSslSocketTalksToGreenloopServer() throws Exception {
        StreamServer server = echoServer();
        int port = server.address().getPort();
        String reply = offLoop(() -> {
            try (SSLSocket socket = (SSLSocket) TestKeys.client().getSocketFactory().createSocket("127.0.0.1", port)) {
                socket.getOutputStream().write("hello from SSLSocket".getBytes(StandardCharsets.US_ASCII));
                byte[] back = socket.getInputStream().readNBytes(20);
                return new String(back, StandardCharsets.US_ASCII) + " " + socket.getSession().getProtocol();
            }
        });
        assertEquals("hello from SSLSocket TLSv1.3", reply);
    }

    @Test
    void jdkHttpClientGetsAnHttpsAnswerFromGreenloopServer() throws Exception {
        StreamServer server = started(StreamServer.tls(ANY_LOCAL_PORT, TestKeys.server(), (socket, peer) -> {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            InputStream in = socket.inputStream();
            while (!request.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                request.write(b);
            }
            byte[] response = "HTTP/1.1 200 OK\r\ncontent-length: 13\r\nconnection: close\r\n\r\nhello, https!"
                    .getBytes(StandardCharsets.US_ASCII);
            socket.outputStream().write(response);
        }));
        URI uri = URI.create("https://127.0.0.1:" + server.address().getPort() + "/");
        String body = offLoop(() -> {
            try (HttpClient client = HttpClient.newBuilder().sslContext(TestKeys.client()).version(HttpClient.Version.HTTP_1_1).build()) {
                return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            }
        });
        assertEquals("hello, https!", body);
    }

    @Test
    void greenloopClientTalksToJdkSslServerSocket() throws Exception {
        SSLServerSocket listener = (SSLServerSocket) TestKeys.server().getServerSocketFactory()
                .createServerSocket(0, 50, ANY_LOCAL_PORT.getAddress());
        CompletableFuture<String> serverSide = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("jdk-tls-server").start(() -> {
            try (listener; SSLSocket socket = (SSLSocket) listener.accept()) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
                serverSide.complete("saw the end of stream");
            } catch (Throwable e) {
                serverSide.completeExceptionally(e);
            }
        });
        try (TlsSocket client = TlsSocket.connect("127.0.0.1", listener.getLocalPort(), TestKeys.client())) {
            byte[] message = pattern(100_000, 7);
            client.write(message, 0, message.length);
            assertArrayEquals(message, readFully(client, message.length));
        }
        assertEquals("saw the end of stream", offLoop(() -> serverSide.get(LIMIT.toSeconds(), TimeUnit.SECONDS)));
    }

    /**
     * A TLS 1.2 renegotiation that the JDK's SSLServerSocket starts mid-stream (a full one: it invalidates the
     * session first) while a greenloop writer and reader both run: the reader meets the HelloRequest and the
     * new handshake must get through around the writer. The writer goes on until the client sees the new
     * session, then half-closes; the server echoes everything and closes at the end of the stream.
     */
    @Test
    @Disabled("known gap, not fixed yet: the renegotiation stalls while the writer streams and completes only when it"
            + " stops (its pending handshake output then fails on the half-closed socket); TLS 1.3 has no renegotiation")
    void jdkServerRenegotiatesTls12WhileBothDirectionsAreBusy() throws Exception {
        SSLServerSocket listener = (SSLServerSocket) TestKeys.server().getServerSocketFactory()
                .createServerSocket(0, 50, ANY_LOCAL_PORT.getAddress());
        listener.setEnabledProtocols(new String[] {"TLSv1.2"});
        CompletableFuture<Integer> handshakes = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("jdk-tls12-server").start(() -> {
            try (listener; SSLSocket socket = (SSLSocket) listener.accept()) {
                int[] completed = {0};
                socket.addHandshakeCompletedListener(event -> completed[0]++);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] buffer = new byte[8192];
                long echoed = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    if (echoed < 64 * 1024 && echoed + n >= 64 * 1024) {
                        socket.getSession().invalidate();
                        socket.startHandshake();
                    }
                    echoed += n;
                }
                handshakes.complete(completed[0]);
            } catch (Throwable e) {
                handshakes.completeExceptionally(e);
            }
        });
        int chunk = 16 * 1024;
        byte[] data = pattern(chunk, 5);
        try (TlsSocket client = TlsSocket.client(TcpSocket.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()),
                Duration.ofSeconds(10)), TestKeys.client(), "localhost")) {
            client.setTimeout(LIMIT);
            client.handshake();
            SSLSession first = client.session();
            Greenlet<Long> writer = Green.spawn(() -> {
                long sent = 0;
                while ((sent < (1 << 20) || client.session() == first) && sent < (8 << 20)) {
                    client.write(data, 0, chunk);
                    sent += chunk;
                }
                client.tcpSocket().shutdownOutput();
                return sent;
            });
            long received = 0;
            byte[] buffer = new byte[chunk];
            for (int n; (n = client.read(buffer, 0, chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    assertEquals(data[(int) ((received + i) % chunk)], buffer[i], "byte " + (received + i));
                }
                received += n;
            }
            assertEquals(writer.get(), received);
            assertTrue(client.session() != first, "the client never saw the renegotiated session");
            assertEquals("TLSv1.2", client.session().getProtocol());
        }
        assertEquals(2, offLoop(() -> handshakes.get(LIMIT.toSeconds(), TimeUnit.SECONDS)),
                "the first handshake and the renegotiation should both have completed on the server");
    }

    @Test
    void hostnameMismatchIsRefusedWithTheJdksMessage() throws Exception {
        StreamServer server = started(StreamServer.tls(ANY_LOCAL_PORT, TestKeys.context(TestKeys.OTHER_HOST), TlsConformanceTest::echo));
        TlsSocket client = localClient(server, TestKeys.client(), "localhost");
        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, client::handshake);
        assertTrue(refused.getMessage().contains("No subject alternative DNS name matching localhost"), refused::getMessage);
        client.close();
    }

    @Test
    void untrustedCertificateIsRefused() throws Exception {
        StreamServer server = echoServer();
        TlsSocket client = localClient(server, TestKeys.context(null, TestKeys.OTHER_HOST), "localhost");
        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, client::handshake);
        assertTrue(refused.getMessage().contains("PKIX path building failed"), refused::getMessage);
        client.close();
    }

    @Test
    void plainTextClientIsDroppedAndTheServerKeepsServing() throws Exception {
        StreamServer server = echoServer();
        try (TcpSocket plain = TcpSocket.connect(server.address(), Duration.ofSeconds(10))) {
            plain.setTimeout(LIMIT);
            byte[] request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            plain.write(request, 0, request.length);
            byte[] buffer = new byte[1024];
            while (plain.read(buffer, 0, buffer.length) >= 0) {
                // an alert record, perhaps, then the end of stream
            }
        }
        try (TlsSocket client = localClient(server, TestKeys.client(), "localhost")) {
            client.write(new byte[] {42}, 0, 1);
            assertArrayEquals(new byte[] {42}, readFully(client, 1));
        }
    }

    @Test
    void eightMebibytesBothWaysAtOnce() throws Exception {
        int size = 8 << 20;
        StreamServer server = started(StreamServer.tls(ANY_LOCAL_PORT, TestKeys.server(), (socket, peer) -> exchangeThenAwaitClose(socket, size, 2)));
        try (TlsSocket client = localClient(server, TestKeys.client(), "localhost")) {
            exchange(client, size, 1);
        }
    }

    /**
     * A KeyUpdate that arrives near the end of a read's time limit, while a writer that started later holds the
     * outbound side on a full send buffer: the writer sends the answer, and nothing is reported as failed. (The
     * answer's greenlet once took the read's deadline, timed out behind the writer and failed the next write.)
     */
    @Test
    void keyUpdateAnswerQueuedBehindALaterWriterDoesNotFailTheNextWrite() throws Exception {
        int size = 1 << 20;
        SSLServerSocket listener = (SSLServerSocket) TestKeys.server().getServerSocketFactory()
                .createServerSocket(0, 50, ANY_LOCAL_PORT.getAddress());
        listener.setReceiveBufferSize(4096);  // before accept: a buffer shrunk on a live connection stalls Linux TCP
        CompletableFuture<Void> peer = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("jdk-tls-peer").start(() -> {
            try (listener; SSLSocket socket = (SSLSocket) listener.accept()) {
                socket.startHandshake();
                Thread.sleep(1000);  // the client's read waits, its writer fills the buffers
                socket.startHandshake();  // on TLS 1.3: a KeyUpdate that asks for one back
                socket.getOutputStream().write(7);
                Thread.sleep(1300);  // past the read's deadline, well within the writer's
                socket.getInputStream().readNBytes(size + 1);
                peer.complete(null);
            } catch (Throwable e) {
                peer.completeExceptionally(e);
            }
        });
        TlsSocket client = TlsSocket.client(TcpSocket.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()),
                Duration.ofSeconds(10)), TestKeys.client(), "localhost");
        try (client) {
            client.tcpSocket().setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            client.setTimeout(Duration.ofMillis(2000));
            client.handshake();
            Greenlet<Void> writer = Green.spawn(() -> {
                Green.sleep(Duration.ofMillis(800));
                client.write(new byte[size], 0, size);
            });
            assertEquals(7, readFully(client, 1)[0]);
            writer.join(LIMIT);
            writer.get();
            client.write(new byte[1], 0, 1);
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!peer.isDone() && System.nanoTime() < deadline) {
            Green.sleep(Duration.ofMillis(5));
        }
        peer.get(0, TimeUnit.SECONDS);
    }

    /**
     * The server's side of {@link #exchange}: it then waits for the client's close_notify before it closes, so
     * that nothing the client still sends (a KeyUpdate answer) meets a closed socket and resets the connection
     * while the client has data left to read.
     */
    static void exchangeThenAwaitClose(TlsSocket socket, int size, int seed) throws Exception {
        exchange(socket, size, seed);
        assertEquals(-1, socket.read(new byte[1], 0, 1), "the client sent more than it should have");
    }

    /** Writes {@code size} bytes of pattern {@code seed} from another greenlet while reading the peer's, then checks both. */
    static void exchange(TlsSocket socket, int size, int seed) throws Exception {
        byte[] out = pattern(size, seed);
        Greenlet<Void> writer = Green.spawn(() -> {
            for (int off = 0; off < size; off += 100_000) {
                socket.write(out, off, Math.min(100_000, size - off));
            }
        });
        byte[] in = readFully(socket, size);
        writer.join(LIMIT);
        writer.get();
        assertArrayEquals(pattern(size, 3 - seed), in);
    }

    @Test
    void closeSendsCloseNotifyAndTheReaderSeesTheEnd() throws Exception {
        List<String> seen = new ArrayList<>();
        StreamServer server = started(StreamServer.tls(ANY_LOCAL_PORT, TestKeys.server(), (socket, peer) -> {
            int n = socket.read(new byte[16], 0, 16);
            seen.add("read " + n + ", close_notify " + socket.peerSentCloseNotify());
        }));
        TlsSocket client = localClient(server, TestKeys.client(), "localhost");
        client.handshake();
        client.close();
        TlsSocket truncating = localClient(server, TestKeys.client(), "localhost");
        truncating.handshake();
        truncating.tcpSocket().close();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (seen.size() < 2 && System.nanoTime() < deadline) {
            Green.sleep(Duration.ofMillis(5));
        }
        assertEquals(List.of("read -1, close_notify true", "read -1, close_notify false"), seen);
    }

    @Test
    void serverCloseNotifyEndsTheClientsStream() throws Exception {
        StreamServer server = started(StreamServer.tls(ANY_LOCAL_PORT, TestKeys.server(), (socket, peer) -> {
            socket.write("bye".getBytes(StandardCharsets.US_ASCII), 0, 3);
        }));
        try (TlsSocket client = localClient(server, TestKeys.client(), "localhost")) {
            assertArrayEquals("bye".getBytes(StandardCharsets.US_ASCII), readFully(client, 3));
            assertEquals(-1, client.read(new byte[1], 0, 1));
            assertTrue(client.peerSentCloseNotify());
        }
    }

    @Test
    void clientHandshakeTimesOutWhenThePeerNeverAnswers() throws Exception {
        TlsSocket client = TlsSocket.client(TcpSocket.connect(silentServer().address(), Duration.ofSeconds(10)),
                TestKeys.client(), "localhost");
        client.setTimeout(Duration.ofMillis(300));
        SocketTimeoutException timedOut = assertThrows(SocketTimeoutException.class, client::handshake);
        assertTrue(timedOut.getMessage().contains("after 300 ms"), timedOut.getMessage());
        client.close();
    }

    @Test
    void startTlsOverASocketWithATimeoutKeepsThatTimeout() throws Exception {
        TcpSocket tcp = TcpSocket.connect(silentServer().address(), Duration.ofSeconds(10));
        tcp.setTimeout(Duration.ofMillis(300));
        TlsSocket client = TlsSocket.client(tcp, TestKeys.client(), "localhost");
        Greenlet<Void> handshake = Green.spawn(() -> client.handshake());
        assertTrue(handshake.join(LIMIT), "the handshake waited past its socket's timeout");
        loops.forgetError(handshake.exception());
        assertInstanceOf(SocketTimeoutException.class, handshake.exception());
        client.close();
    }

    /** A plain server whose handlers read and never answer: a TLS client's handshake waits on it. */
    private StreamServer silentServer() throws IOException {
        return started(new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            byte[] ignored = new byte[4096];
            while (socket.read(ignored, 0, ignored.length) >= 0) {
                // never answer
            }
        }));
    }

    @Test
    void serverDropsAClientThatNeverStartsTheHandshake() throws Exception {
        StreamServer server = started(StreamServer.tls(ANY_LOCAL_PORT, TestKeys.server(), TlsConformanceTest::echo,
                StreamServer.Options.defaults().withHandshakeTimeout(Duration.ofMillis(300))));
        try (TcpSocket silent = TcpSocket.connect(server.address(), Duration.ofSeconds(10))) {
            silent.setTimeout(LIMIT);
            assertEquals(-1, silent.read(new byte[1], 0, 1), "the server should close a connection whose handshake never began");
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (server.activeHandlers() > 0 && System.nanoTime() < deadline) {
            Green.sleep(Duration.ofMillis(5));  // its greenlet ends just after closing the connection
        }
        assertEquals(0, server.activeHandlers());
    }

    @Test
    void alpnNegotiatesWhatBothSidesOffer() throws Exception {
        SSLContext serverContext = TestKeys.server();
        StreamServer server = started(StreamServer.tls(ANY_LOCAL_PORT, () -> {
            SSLEngine engine = serverContext.createSSLEngine();
            engine.setUseClientMode(false);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            engine.setSSLParameters(parameters);
            return engine;
        }, (socket, peer) -> {
            byte[] chosen = socket.applicationProtocol().getBytes(StandardCharsets.US_ASCII);
            socket.write(new byte[] {(byte) chosen.length}, 0, 1);
            socket.write(chosen, 0, chosen.length);
        }, StreamServer.Options.defaults()));
        assertEquals("h2 h2", alpn(server, "h2"));
        assertEquals("http/1.1 http/1.1", alpn(server, "http/1.1"));
        assertEquals(" ", alpn(server));
    }

    private String alpn(StreamServer server, String... offered) throws IOException {
        SSLEngine engine = TestKeys.client().createSSLEngine("localhost", server.address().getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(offered);
        engine.setSSLParameters(parameters);
        try (TlsSocket client = TlsSocket.of(TcpSocket.connect(server.address(), Duration.ofSeconds(10)), engine)) {
            client.setTimeout(LIMIT);
            int length = readFully(client, 1)[0];
            String serverSaw = new String(readFully(client, length), StandardCharsets.US_ASCII);
            return client.applicationProtocol() + " " + serverSaw;
        }
    }

    @Test
    void handshakeFailureOnTheServerSideDoesNotReachTheLoop() throws Exception {
        StreamServer server = echoServer();
        TlsSocket client = localClient(server, TestKeys.context(null, TestKeys.OTHER_HOST), "localhost");
        assertThrows(SSLException.class, client::handshake);
        client.close();
        try (TlsSocket good = localClient(server, TestKeys.client(), "localhost")) {
            good.write(new byte[] {1}, 0, 1);
            assertArrayEquals(new byte[] {1}, readFully(good, 1));
        }
    }

    /**
     * KeyUpdates every 16 KiB each way, forced by {@code jdk.tls.keyLimits}, while 2 MiB cross both ways at
     * once. The JDK reads that property once, when its cipher suites load, so this runs in a JVM of its own
     * ({@link KeyUpdateChild}), which counts the KeyUpdates in the JDK's debug log.
     */
    @Test
    void keyUpdatesMidStreamWhileBothDirectionsAreBusy() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-Djavax.net.debug=ssl:handshake",
                "-cp", System.getProperty("java.class.path"), KeyUpdateChild.class.getName(), loop.transport())
                .redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output;
        try {
            output = offLoop(() -> new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(child.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();  // a child that hung must not outlive the test (and the build)
        }
        String last = output.lines().reduce("", (a, b) -> b);
        assertEquals(0, child.exitValue(), () -> "the child failed; its last line: " + last);
        long keyUpdates = output.lines().filter(line -> line.contains("Consuming KeyUpdate")).count();
        assertTrue(keyUpdates >= 50, () -> "only " + keyUpdates + " KeyUpdates were consumed; last line: " + last);
        assertTrue(last.startsWith("exchanged"), last);
    }
}
