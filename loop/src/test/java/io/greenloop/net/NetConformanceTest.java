package io.greenloop.net;

import io.greenloop.Event;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.LoopExtension;
import io.greenloop.TransportUnderTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The networking conformance suite: every transport runs it unchanged. Here it runs on NIO (loop alone has
 * no other transport); each native transport module runs it from loop's test-jar with
 * {@code -Dgreenloop.transport=NAME}, the one way a test run picks its transport ({@link TransportUnderTest}
 * decides whether that transport's tests run, fail or are skipped here). Each test gets its loop from
 * {@link LoopExtension} on the test thread, which owns it and drives it whenever a call made outside
 * greenlets waits; the extension fails the test when a failure it did not expect reached the loop's error
 * handler, or when greenlets are left alive.
 */
public class NetConformanceTest {

    /** The longest any single test may wait for its greenlets: generous, for a shared 2-core machine. */
    static final Duration LIMIT = Duration.ofSeconds(60);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final InetSocketAddress ANY_LOCAL_PORT = new InetSocketAddress("127.0.0.1", 0);

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    protected Loop loop;

    @BeforeEach
    void takeTheLoop() {
        loop = loops.loop();
    }

    /** Removes and returns the failures that reached the loop so far, for tests that expect some. */
    List<Throwable> takeLoopErrors() {
        return loops.takeErrors();
    }

    /** Waits (driving the loop) until every greenlet finished; rethrows the first failure. */
    void joinAllOrFail(List<? extends Greenlet<?>> greenlets) {
        loops.joinAllOrFail(greenlets, LIMIT);
    }

    static byte[] readFully(TcpSocket socket, int length) throws IOException {
        return readFully(socket::read, length);
    }

    /** What {@link #readFully(ByteSource, int)} reads from: a socket's {@code read(byte[], int, int)}. */
    @FunctionalInterface
    interface ByteSource {
        int read(byte[] b, int off, int len) throws IOException;
    }

    /** Reads exactly {@code length} bytes; an end of stream before that is an {@link IOException}. */
    static byte[] readFully(ByteSource source, int length) throws IOException {
        byte[] data = new byte[length];
        int done = 0;
        while (done < length) {
            int n = source.read(data, done, length - done);
            if (n < 0) {
                throw new IOException("end of stream after " + done + " of " + length + " bytes");
            }
            done += n;
        }
        return data;
    }

    static byte[] readToEnd(TcpSocket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        for (int n; (n = socket.read(chunk, 0, chunk.length)) >= 0; ) {
            all.write(chunk, 0, n);
        }
        return all.toByteArray();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static void write(TcpSocket socket, String text) throws IOException {
        byte[] bytes = ascii(text);
        socket.write(bytes, 0, bytes.length);
    }

    /** A server that echoes every byte back until the client closes. */
    static StreamServer echoServer() {
        return new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            byte[] buffer = new byte[8192];
            for (int n; (n = socket.read(buffer, 0, buffer.length)) > 0; ) {
                socket.write(buffer, 0, n);
            }
        });
    }

    /**
     * Checks that code runs in a greenlet of the expected loop, mounted on that loop's thread. The carrier
     * is read through {@code Thread.currentCarrierThread()}, which the suite reaches because it runs with
     * {@code --add-opens java.base/java.lang}. The unsynchronized counter is a second witness: were
     * greenlets ever on two threads at once, increments would get lost and the exact total would not add up.
     */
    static final class OnLoopCheck {
        private static final Method CURRENT_CARRIER;

        static {
            try {
                CURRENT_CARRIER = Thread.class.getDeclaredMethod("currentCarrierThread");
                CURRENT_CARRIER.setAccessible(true);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Loop loop;
        private final Thread loopThread;
        int count;
        final List<String> violations = new ArrayList<>();

        OnLoopCheck(Loop loop, Thread loopThread) {
            this.loop = loop;
            this.loopThread = loopThread;
        }

        void check() {
            int seen = count;
            Thread carrier = carrier();
            if (Green.current() == null || Green.loop() != loop || carrier != loopThread || !Thread.currentThread().isVirtual()) {
                violations.add("greenlet " + Green.current() + " on " + carrier + ", loop " + Green.loop());
            }
            count = seen + 1;
        }

        static Thread carrier() {
            try {
                return (Thread) CURRENT_CARRIER.invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void twoHundredClientsEchoFiftyMessagesEachAllOnTheLoopThread() throws Exception {
        int clients = 200;
        int messages = 50;
        OnLoopCheck onLoop = new OnLoopCheck(loop, Thread.currentThread());
        List<String> serverViolations = new ArrayList<>();
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            OnLoopCheck serverSide = new OnLoopCheck(loop, onLoop.loopThread);
            byte[] buffer = new byte[1024];
            for (int n; (n = socket.read(buffer, 0, buffer.length)) > 0; ) {
                serverSide.check();
                socket.write(buffer, 0, n);
            }
            serverViolations.addAll(serverSide.violations);
        });
        server.start();
        List<Greenlet<?>> greenlets = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            greenlets.add(loop.spawn(() -> {
                try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
                    onLoop.check();
                    for (int m = 0; m < messages; m++) {
                        String message = "client " + client + " message " + m + "\n";
                        write(socket, message);
                        assertEquals(message, new String(readFully(socket, message.length()), StandardCharsets.US_ASCII));
                        onLoop.check();
                    }
                }
            }));
        }
        joinAllOrFail(greenlets);
        server.stop(Duration.ofSeconds(5));
        assertEquals(List.of(), onLoop.violations);
        assertEquals(List.of(), serverViolations);
        assertEquals(clients * (messages + 1), onLoop.count);
        assertEquals(0, server.activeHandlers());
    }

    @Test
    void theOnLoopCheckNoticesCodeOffTheLoop() throws Exception {
        OnLoopCheck onLoop = new OnLoopCheck(loop, Thread.currentThread());
        loop.spawn(onLoop::check).join();
        assertEquals(List.of(), onLoop.violations);
        Thread elsewhere = Thread.ofVirtual().start(onLoop::check);  // the JDK's default scheduler, not the loop
        elsewhere.join();
        onLoop.check();  // the owner thread, outside greenlets
        assertEquals(2, onLoop.violations.size(), onLoop.violations::toString);
        assertEquals(3, onLoop.count);
    }

    private static final int BIG = 32 << 20;

    private static byte patternAt(long offset) {
        return (byte) (offset % 251);
    }

    @Test
    void thirtyTwoMebibytesEachWayArriveIntact() throws Exception {
        AtomicReference<Long> serverReceived = new AtomicReference<>();
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            Greenlet<Void> writer = Green.spawn(() -> writePatternFromHeap(socket));
            serverReceived.set(readPattern(socket, ByteBuffer.allocate(64 << 10), BIG));
            writer.get();
        });
        server.start();
        Greenlet<Long> client = loop.spawn(() -> {
            try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
                Greenlet<Void> writer = Green.spawn(() -> writePatternFromDirect(socket));
                long received = readPattern(socket, ByteBuffer.allocateDirect(48 << 10), Long.MAX_VALUE);
                writer.get();
                return received;
            }
        });
        joinAllOrFail(List.of(client));
        server.stop(Duration.ofSeconds(5));
        assertEquals(BIG, client.value());
        assertEquals(BIG, serverReceived.get());
    }

    private static void writePatternFromHeap(TcpSocket socket) throws IOException {
        byte[] chunk = new byte[100_000];
        for (long sent = 0; sent < BIG; ) {
            int n = (int) Math.min(chunk.length, BIG - sent);
            for (int i = 0; i < n; i++) {
                chunk[i] = patternAt(sent + i);
            }
            socket.write(chunk, 0, n);
            sent += n;
        }
    }

    private static void writePatternFromDirect(TcpSocket socket) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(77_777);
        for (long sent = 0; sent < BIG; ) {
            chunk.clear();
            int n = (int) Math.min(chunk.capacity(), BIG - sent);
            for (int i = 0; i < n; i++) {
                chunk.put(patternAt(sent + i));
            }
            chunk.flip();
            socket.write(chunk);
            assertFalse(chunk.hasRemaining(), "write(ByteBuffer) must write all of it");
            sent += n;
        }
    }

    /** Reads until {@code limit} bytes or end of stream, checking every byte against the pattern; returns the count. */
    private static long readPattern(TcpSocket socket, ByteBuffer buffer, long limit) throws IOException {
        long received = 0;
        while (received < limit) {
            buffer.clear();
            if (limit - received < buffer.capacity()) {
                buffer.limit((int) (limit - received));
            }
            int n = socket.read(buffer);
            if (n < 0) {
                break;
            }
            buffer.flip();
            for (int i = 0; i < n; i++) {
                if (buffer.get() != patternAt(received + i)) {
                    throw new AssertionError("byte " + (received + i) + " differs");
                }
            }
            received += n;
        }
        return received;
    }

    @Test
    void readTimesOutThenTheSocketStillWorks() throws Exception {
        Event release = new Event();
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            release.await();
            write(socket, "late");
            assertEquals("ok", new String(readToEnd(socket), StandardCharsets.US_ASCII));
        });
        server.start();
        try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
            socket.setTimeout(Duration.ofMillis(100));
            long start = System.nanoTime();
            SocketTimeoutException timeout = assertThrows(SocketTimeoutException.class, () -> socket.read(ByteBuffer.allocate(16)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(90), "timed out too early");
            assertTrue(timeout.getMessage().contains("read timed out"), timeout.getMessage());
            assertFalse(socket.isClosed());
            release.set();
            socket.setTimeout(Duration.ofSeconds(10));
            assertEquals("late", new String(readFully(socket, 4), StandardCharsets.US_ASCII));
            write(socket, "ok");
        }
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 1);
        int port = listener.localAddress().getPort();
        listener.close();
        // The NIO transport closes a registered channel's descriptor at its next poll; let that poll happen,
        // so that the port is really closed (a connect queued on the dying listener would be reset instead).
        Green.sleep();
        ConnectException refused = assertThrows(ConnectException.class,
                () -> TcpSocket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT));
        assertTrue(refused.getMessage().contains(String.valueOf(port)), refused.getMessage());
        assertThrows(ConnectException.class, () -> TcpSocket.connect("127.0.0.1", port));
    }

    @Test
    void connectTimesOutWhenTheListenerQueueIsFull() throws Exception {
        // A listener that never accepts, with the smallest backlog: once its queue is full the kernel drops
        // further SYNs, so a connect gets no answer and must end by our timeout.
        List<TcpSocket> queued = new ArrayList<>();
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 1)) {
            SocketTimeoutException timeout = null;
            for (int i = 0; i < 32 && timeout == null; i++) {
                try {
                    queued.add(TcpSocket.connect(listener.localAddress(), Duration.ofMillis(200)));
                } catch (SocketTimeoutException e) {
                    timeout = e;
                }
            }
            assertNotNull(timeout, "no connect timed out although the listener never accepted");
            assertTrue(timeout.getMessage().contains("timed out after 200 ms"), timeout.getMessage());
        } finally {
            queued.forEach(TcpSocket::close);
        }
    }

    @Test
    @SuppressWarnings("try")  // closing the client while another greenlet reads it is the point of the test
    void closeWakesAGreenletParkedInRead() throws Exception {
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 8);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), CONNECT_TIMEOUT);
             TcpSocket accepted = listener.accept()) {
            Greenlet<Integer> reader = loop.spawn(() -> client.read(ByteBuffer.allocate(16)));
            Greenlet<Void> closer = loop.spawn(() -> {
                Green.sleep(Duration.ofMillis(50));
                client.close();
            });
            assertTrue(reader.join(LIMIT));
            assertTrue(closer.join(LIMIT));
            SocketException closed = assertInstanceOf(SocketException.class, reader.exception());
            assertEquals("socket closed", closed.getMessage());
            assertThrows(SocketException.class, () -> client.read(ByteBuffer.allocate(16)));
            assertTrue(client.isClosed());
            assertEquals(-1, accepted.read(ByteBuffer.allocate(16)), "the peer sees end of stream");
            takeLoopErrors();  // the reader's SocketException, asserted above
        }
    }

    @Test
    void aPeerThatResetsMakesReadFail() throws Exception {
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            // The loop may run this handler before the client's connect() has returned; reset only once it is reading.
            Green.sleep(Duration.ofMillis(50));
            socket.setOption(StandardSocketOptions.SO_LINGER, 0);
        });
        server.start();
        try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
            IOException reset = assertThrows(IOException.class, () -> socket.read(ByteBuffer.allocate(16)));
            assertFalse(reset instanceof SocketTimeoutException);
        }
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void udpRoundTripWithReceiveTimeout() throws Exception {
        try (UdpSocket client = UdpSocket.bind(ANY_LOCAL_PORT); UdpSocket echo = UdpSocket.bind(ANY_LOCAL_PORT)) {
            Greenlet<Void> echoer = loop.spawn(() -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(1500);
                for (int i = 0; i < 2; i++) {
                    buffer.clear();
                    InetSocketAddress sender = echo.receive(buffer);
                    echo.send(buffer.flip(), sender);
                }
            });
            client.setTimeout(Duration.ofSeconds(10));
            for (String text : List.of("ping", "pong")) {
                client.send(ByteBuffer.wrap(ascii(text)), echo.localAddress());
                ByteBuffer reply = ByteBuffer.allocate(1500);
                assertEquals(echo.localAddress(), client.receive(reply));
                assertEquals(text, new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII));
            }
            joinAllOrFail(List.of(echoer));
            client.setTimeout(Duration.ofMillis(100));
            assertThrows(SocketTimeoutException.class, () -> client.receive(ByteBuffer.allocate(16)));
        }
    }

    @Test
    void stopWithGraceLetsQuickHandlersFinishAndKillsSleepingOnes() throws Exception {
        int pairs = 3;
        int[] started = {0};
        int[] cleanedUp = {0};
        Event allStarted = new Event();
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            boolean slow = socket.read(ByteBuffer.allocate(1)) == 1 && ++started[0] % 2 == 0;
            if (started[0] == 2 * pairs) {
                allStarted.set();
            }
            try {
                Green.sleep(slow ? Duration.ofHours(1) : Duration.ofMillis(50));
                write(socket, "done");
            } finally {
                cleanedUp[0]++;
            }
        });
        server.start();
        List<Greenlet<String>> clients = new ArrayList<>();
        for (int i = 0; i < 2 * pairs; i++) {
            clients.add(loop.spawn(() -> {
                try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
                    write(socket, "!");
                    return new String(readToEnd(socket), StandardCharsets.US_ASCII);
                }
            }));
        }
        assertTrue(allStarted.await(LIMIT));
        long start = System.nanoTime();
        server.stop(Duration.ofSeconds(1));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "stop(1 s) took too long");
        assertEquals(2 * pairs, cleanedUp[0], "every handler ran its finally block");
        assertEquals(0, server.activeHandlers());
        joinAllOrFail(clients);
        long done = clients.stream().filter(c -> c.value().equals("done")).count();
        long cut = clients.stream().filter(c -> c.value().isEmpty()).count();
        assertEquals(pairs, done, "the quick handlers finished within the grace");
        assertEquals(pairs, cut, "the sleeping handlers were killed and their connections closed");
        assertThrows(ConnectException.class, () -> TcpSocket.connect(server.address(), CONNECT_TIMEOUT));
    }

    @Test
    void stopWithoutGraceWaitsForEveryHandlerAndKillsNone() throws Exception {
        int connections = 4;
        int[] started = {0};
        Event allStarted = new Event();
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            socket.read(ByteBuffer.allocate(1));
            if (++started[0] == connections) {
                allStarted.set();
            }
            Green.sleep(Duration.ofMillis(200));
            write(socket, "done");
        });
        server.start();
        List<Greenlet<String>> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            clients.add(loop.spawn(() -> {
                try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
                    write(socket, "!");
                    return new String(readToEnd(socket), StandardCharsets.US_ASCII);
                }
            }));
        }
        assertTrue(allStarted.await(LIMIT));
        server.stop(null);
        assertEquals(0, server.activeHandlers());
        joinAllOrFail(clients);
        assertTrue(clients.stream().allMatch(c -> c.value().equals("done")), "stop(null) killed no handler");
        assertThrows(ConnectException.class, () -> TcpSocket.connect(server.address(), CONNECT_TIMEOUT));
    }

    @Test
    void aHandlerThatThrowsLosesItsConnectionIsReportedAndTheServerKeepsServing() throws Exception {
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            byte[] first = readFully(socket, 1);
            if (first[0] == 'x') {
                throw new IllegalStateException("boom from the handler");
            }
            socket.write(first, 0, 1);
        });
        server.start();
        try (TcpSocket failing = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
            write(failing, "x");
            assertEquals(0, readToEnd(failing).length, "the failed handler's connection is closed");
        }
        try (TcpSocket fine = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
            write(fine, "y");
            assertArrayEquals(ascii("y"), readToEnd(fine));
        }
        server.stop(Duration.ofSeconds(5));
        List<Throwable> reported = takeLoopErrors();
        assertEquals(1, reported.size(), reported::toString);
        assertEquals("boom from the handler", reported.getFirst().getMessage());
    }

    @Test
    void aConcurrencyLimitBoundsRunningHandlers() throws Exception {
        int limit = 2;
        int[] active = {0};
        int[] maxActive = {0};
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            maxActive[0] = Math.max(maxActive[0], ++active[0]);
            try {
                Green.sleep(Duration.ofMillis(50));
                write(socket, "ok");
            } finally {
                active[0]--;
            }
        }, limit);
        server.start();
        List<Greenlet<String>> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clients.add(loop.spawn(() -> {
                try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
                    return new String(readToEnd(socket), StandardCharsets.US_ASCII);
                }
            }));
        }
        joinAllOrFail(clients);
        server.stop(Duration.ofSeconds(5));
        clients.forEach(c -> assertEquals("ok", c.value()));
        assertEquals(limit, maxActive[0]);
    }

    @Test
    void aSecondConcurrentReaderIsRefused() throws Exception {
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 8);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), CONNECT_TIMEOUT);
             TcpSocket accepted = listener.accept()) {
            Greenlet<Integer> first = loop.spawn(() -> client.read(ByteBuffer.allocate(16)));
            Greenlet<Integer> second = loop.spawn(() -> client.read(ByteBuffer.allocate(16)));
            assertTrue(second.join(LIMIT));
            IllegalStateException refused = assertInstanceOf(IllegalStateException.class, second.exception());
            assertTrue(refused.getMessage().contains("another greenlet is already reading this socket"), refused.getMessage());
            write(accepted, "hi");
            assertTrue(first.join(LIMIT));
            assertEquals(2, first.value());
            takeLoopErrors();  // the second reader's IllegalStateException, asserted above
        }
    }

    @Test
    void aKillOrTimeoutDuringReadLeavesTheSocketReadable() throws Exception {
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 8);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), CONNECT_TIMEOUT);
             TcpSocket accepted = listener.accept()) {
            Greenlet<Integer> killed = loop.spawn(() -> client.read(ByteBuffer.allocate(16)));
            Green.sleep(Duration.ofMillis(20));
            killed.kill();
            assertTrue(killed.successful() && killed.exception() instanceof io.greenloop.GreenletExit, killed::toString);
            assertThrows(io.greenloop.Timeout.Expired.class,
                    () -> Green.withTimeout(Duration.ofMillis(50), () -> client.read(ByteBuffer.allocate(16))));
            write(accepted, "still here");
            assertEquals("still here", new String(readFully(client, 10), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void streamAdaptersCarryDataBothWays() throws Exception {
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            DataInputStream in = new DataInputStream(socket.inputStream());
            DataOutputStream out = new DataOutputStream(socket.outputStream());
            String line = in.readUTF();
            out.writeUTF(line.toUpperCase());
            out.write('\n');
            out.flush();
        });
        server.start();
        try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
            new DataOutputStream(socket.outputStream()).writeUTF("hello streams");
            DataInputStream in = new DataInputStream(socket.inputStream());
            assertEquals("HELLO STREAMS", in.readUTF());
            BufferedReader rest = new BufferedReader(new InputStreamReader(socket.inputStream(), StandardCharsets.US_ASCII));
            assertEquals("", rest.readLine());
            assertEquals(null, rest.readLine());
        }
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void shutdownOutputHalfClosesAndTheReplyStillArrives() throws Exception {
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            int received = readToEnd(socket).length;
            write(socket, "got " + received);
        });
        server.start();
        try (TcpSocket socket = TcpSocket.connect(server.address(), CONNECT_TIMEOUT)) {
            write(socket, "hello");
            socket.shutdownOutput();
            assertEquals("got 5", new String(readToEnd(socket), StandardCharsets.US_ASCII));
            assertEquals(server.address(), socket.remoteAddress());
            assertEquals("127.0.0.1", socket.localAddress().getAddress().getHostAddress());
        }
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void closingAListenerWakesAParkedAccept() throws Exception {
        TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 8);
        Greenlet<TcpSocket> acceptor = loop.spawn(listener::accept);
        Green.sleep(Duration.ofMillis(20));
        listener.close();
        assertTrue(acceptor.join(LIMIT));
        assertEquals("socket closed", assertInstanceOf(SocketException.class, acceptor.exception()).getMessage());
        takeLoopErrors();  // the acceptor's SocketException, asserted above
    }

    @Test
    void anIdleReadableSocketDoesNotSpinTheLoop() throws Exception {
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 8);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), CONNECT_TIMEOUT);
             TcpSocket accepted = listener.accept()) {
            accepted.setTimeout(Duration.ofMillis(20));
            assertThrows(SocketTimeoutException.class, () -> accepted.read(ByteBuffer.allocate(16)));
            write(client, "unread");  // now readable, with nobody reading it
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getCurrentThreadCpuTime();
            Green.sleep(Duration.ofMillis(500));
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(threads.getCurrentThreadCpuTime() - cpuBefore);
            assertTrue(cpuMillis < 150, "the loop used " + cpuMillis + " ms of CPU in a 500 ms sleep: it spins");
            assertEquals("unread", new String(readFully(accepted, 6), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void useFromAThreadThatDoesNotOwnTheLoopIsRefused() throws Exception {
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 8);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), CONNECT_TIMEOUT);
             TcpSocket accepted = listener.accept();
             UdpSocket udp = UdpSocket.bind(ANY_LOCAL_PORT)) {
            StreamServer server = echoServer();
            server.start();
            Map<String, Throwable> seen = new ConcurrentHashMap<>();
            Thread foreign = Thread.ofPlatform().name("foreign").start(() -> {
                attempt(seen, "read", () -> client.read(ByteBuffer.allocate(8)));
                attempt(seen, "write", () -> write(accepted, "x"));
                attempt(seen, "close", client::close);
                attempt(seen, "accept", listener::accept);
                attempt(seen, "receive", () -> udp.receive(ByteBuffer.allocate(8)));
                attempt(seen, "stop", () -> server.stop(Duration.ZERO));
            });
            foreign.join(LIMIT.toMillis());
            assertEquals(6, seen.size(), seen::toString);
            String owner = Thread.currentThread().getName();
            seen.forEach((operation, error) -> {
                assertInstanceOf(IllegalStateException.class, error, operation);
                assertTrue(error.getMessage().contains(owner) && error.getMessage().contains("foreign"),
                        operation + ": " + error.getMessage());
            });
            assertFalse(client.isClosed());
            server.stop(Duration.ofSeconds(5));
        }
    }

    interface Attempt {
        void run() throws Exception;
    }

    private static void attempt(Map<String, Throwable> seen, String operation, Attempt attempt) {
        try {
            attempt.run();
        } catch (Throwable e) {
            seen.put(operation, e);
        }
    }

    @Test
    void twoLoopsOnTwoThreadsServeOnePortWithReusePort() throws Exception {
        StreamServer.Options shared = StreamServer.Options.defaults().withReusePort(true);
        Thread here = Thread.currentThread();
        List<String> misplaced = new ArrayList<>();
        StreamServer first = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> {
            if (OnLoopCheck.carrier() != here) {
                misplaced.add("first server's handler on " + OnLoopCheck.carrier());
            }
            write(socket, "first");
        }, shared);
        first.start();
        InetSocketAddress address = first.address();

        CountDownLatch secondListening = new CountDownLatch(1);
        AtomicReference<Loop> secondLoop = new AtomicReference<>();
        AtomicReference<StreamServer> secondServer = new AtomicReference<>();
        AtomicReference<Throwable> secondFailure = new AtomicReference<>();
        List<String> secondMisplaced = new ArrayList<>();  // touched only on the second loop's thread until joined
        Thread secondThread = Thread.ofPlatform().name("second-loop").start(() -> {
            Thread self = Thread.currentThread();
            try (Loop own = Loop.open(loop.transport())) {
                StreamServer server = new StreamServer(address, (socket, peer) -> {
                    if (OnLoopCheck.carrier() != self || Green.loop() != own) {
                        secondMisplaced.add("second server's handler on " + OnLoopCheck.carrier());
                    }
                    write(socket, "second");
                }, shared);
                server.start();
                secondLoop.set(own);
                secondServer.set(server);
                secondListening.countDown();
                server.serveForever();
            } catch (Throwable e) {
                secondFailure.set(e);
                secondListening.countDown();
            }
        });
        assertTrue(secondListening.await(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(null, secondFailure.get());

        List<Greenlet<String>> clients = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            clients.add(loop.spawn(() -> {
                try (TcpSocket socket = TcpSocket.connect(address, CONNECT_TIMEOUT)) {
                    return new String(readToEnd(socket), StandardCharsets.US_ASCII);
                }
            }));
        }
        joinAllOrFail(clients);
        Loop other = secondLoop.get();
        other.execute(() -> other.spawn(() -> secondServer.get().stop(Duration.ofSeconds(1))));
        secondThread.join(LIMIT.toMillis());
        assertFalse(secondThread.isAlive());
        assertEquals(null, secondFailure.get());
        first.stop(Duration.ofSeconds(5));

        long byFirst = clients.stream().filter(c -> c.value().equals("first")).count();
        long bySecond = clients.stream().filter(c -> c.value().equals("second")).count();
        assertEquals(64, byFirst + bySecond);
        assertTrue(byFirst > 0 && bySecond > 0, "the kernel spread 64 connections as " + byFirst + " / " + bySecond);
        assertEquals(List.of(), misplaced);
        assertEquals(List.of(), secondMisplaced);
    }

    @Test
    void socketsWorkFromTheOwnerThreadOutsideGreenlets() throws Exception {
        StreamServer server = echoServer();
        server.start();
        assertSame(null, Green.current());
        try (TcpSocket socket = TcpSocket.connect("127.0.0.1", server.address().getPort())) {
            for (int i = 0; i < 10; i++) {
                write(socket, "round " + i);
                assertEquals("round " + i, new String(readFully(socket, 7), StandardCharsets.US_ASCII));
            }
        }
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> TcpSocket.connect("127.0.0.1", 70000));
        assertTrue(port.getMessage().contains("70000"));
        assertThrows(IllegalArgumentException.class, () -> StreamServer.Options.defaults().withMaxConcurrentHandlers(0));
        assertThrows(IllegalArgumentException.class, () -> TcpListener.bind(ANY_LOCAL_PORT, -1));
        try {
            StreamServer server = echoServer();
            server.start();
            assertThrows(IllegalStateException.class, server::start);
            server.close();
        } catch (IOException e) {
            fail(e);
        }
    }
}
