package io.greenloop;

import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpListener;
import io.greenloop.net.TcpSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.greenloop.net.Lines.connect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LoopGroup} on the transport under test (nio in loop's build; each native transport runs it from
 * loop's test-jar with {@code -Dgreenloop.transport=NAME}, see {@link TransportUnderTest}): round robin, {@code serve} spreading
 * connections over the loops both ways ({@link GroupListeners.Spread}: one {@code SO_REUSEPORT} listener per
 * loop, as on Linux, and an acceptor thread handing sockets over, as on macOS), a stalled loop holding up
 * neither the connections nor the new connections of the others, and {@code close()} with live connections.
 * Clients are plain JDK sockets on the test thread.
 */
public class LoopGroupConformanceTest {

    static final InetSocketAddress ANY_LOCAL_PORT = new InetSocketAddress("127.0.0.1", 0);
    static final int LOOPS = 2;
    /** How many new connections the other loop must serve while the first one is blocked. */
    static final int SERVED_WHILE_BLOCKED = 5;
    /** A bound on the clients one blocked-loop test opens: with half of them on the other loop, far more than enough. */
    static final int MAX_CLIENTS_WHILE_BLOCKED = 400;

    private LoopGroup group;
    private final ConcurrentLinkedQueue<Throwable> loopErrors = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void startGroup() {
        group = LoopGroup.start(LOOPS);  // Loop.open() on each thread: the transport under test
        for (Loop loop : group.loops()) {
            loop.execute(() -> loop.errorHandler((greenlet, error) -> loopErrors.add(error)));
        }
    }

    @AfterEach
    void closeGroup() {
        if (group != null) {
            group.close();
            assertTrue(loopErrors.isEmpty(), () -> "unexpected failures reached the loops: " + loopErrors);
        }
    }

    /** A handler that first tells the client which loop serves it (one byte), then echoes. */
    private StreamServer.Handler tellingLoopThenEchoing() {
        return (socket, peer) -> {
            socket.write(new byte[] {(byte) group.loops().indexOf(Loop.current())}, 0, 1);
            byte[] buffer = new byte[1024];
            for (int n; (n = socket.read(buffer, 0, buffer.length)) > 0; ) {
                socket.write(buffer, 0, n);
            }
        };
    }

    private static void assertEchoes(Socket client, String text) throws IOException {
        byte[] sent = text.getBytes();
        client.getOutputStream().write(sent);
        byte[] back = new DataInputStream(client.getInputStream()).readNBytes(sent.length);
        assertEquals(text, new String(back));
    }

    @Test
    void startsTheLoopsOnTheTransportAndSubmitsRoundRobin() throws Exception {
        assertEquals(LOOPS, group.size());
        List<AsyncResult<Loop>> results = new ArrayList<>();
        for (int i = 0; i < 2 * LOOPS; i++) {
            results.add(group.submit(() -> {
                Green.sleep(Duration.ofMillis(10));  // Green.* acts on the greenlet's own loop
                return Loop.current();
            }));
        }
        Set<Loop> ran = new HashSet<>();
        for (AsyncResult<Loop> result : results) {
            Loop loop = result.get(30, TimeUnit.SECONDS);
            // greenloop.transport in a transport module's run; nio, the only transport, in loop's own
            assertEquals(TransportUnderTest.chosen().orElse("nio"), loop.transport());
            ran.add(loop);
        }
        assertEquals(Set.copyOf(group.loops()), ran, "round robin reaches every loop");
        AsyncResult<Object> failing = group.submit(() -> {
            throw new IOException("boom");
        });
        assertThrows(Exception.class, () -> failing.get(30, TimeUnit.SECONDS));
        assertTrue(failing.exception() instanceof IOException);
    }

    @ParameterizedTest
    @EnumSource(GroupListeners.Spread.class)
    void servedConnectionsSpreadOverTheLoopsAndWorkThere(GroupListeners.Spread spread) throws Exception {
        InetSocketAddress address = group.serve(ANY_LOCAL_PORT, tellingLoopThenEchoing(), spread);
        List<Socket> clients = new ArrayList<>();
        Set<Integer> loopsSeen = new HashSet<>();
        try {
            for (int i = 0; i < 24; i++) {
                Socket client = connect(address);
                clients.add(client);
                loopsSeen.add(client.getInputStream().read());
            }
            for (int i = 0; i < clients.size(); i++) {
                assertEchoes(clients.get(i), "hello " + i);
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        assertEquals(Set.of(0, 1), loopsSeen, "24 connections all landed on one loop");
    }

    @Test
    void theDefaultSpreadServesToo() throws Exception {
        InetSocketAddress address = group.serve(ANY_LOCAL_PORT, tellingLoopThenEchoing());
        try (Socket client = connect(address)) {
            int loop = client.getInputStream().read();
            assertTrue(loop == 0 || loop == 1, "served by loop " + loop);
            assertEchoes(client, "default");
        }
    }

    @ParameterizedTest
    @EnumSource(GroupListeners.Spread.class)
    void aStalledLoopDoesNotStopTheOthers(GroupListeners.Spread spread) throws Exception {
        InetSocketAddress address = group.serve(ANY_LOCAL_PORT, tellingLoopThenEchoing(), spread);
        List<Socket> clients = new ArrayList<>();
        try {
            Socket onSecond = null;
            while (onSecond == null && clients.size() < 40) {
                Socket client = connect(address);
                clients.add(client);
                if (client.getInputStream().read() == 1) {
                    onSecond = client;
                }
            }
            assertTrue(onSecond != null, "no connection landed on the second loop");
            CountDownLatch release = new CountDownLatch(1);
            blockFirstLoopUntil(release);
            try {
                assertEchoes(onSecond, "still served");
                AsyncResult<String> second = new AsyncResult<>();
                Loop loop1 = group.loops().get(1);
                loop1.execute(() -> second.set("ran"));
                assertEquals("ran", second.get(30, TimeUnit.SECONDS));
            } finally {
                release.countDown();
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /**
     * While loop 0 is blocked (until the test has seen enough), new connections keep coming, and those that
     * loop 1 serves are accepted and answered: no loop accepts for another, whichever way connections are
     * spread. Those that land on the blocked loop wait for it, unanswered, and are left aside.
     */
    @ParameterizedTest
    @EnumSource(GroupListeners.Spread.class)
    void aBlockedLoopDelaysNoNewConnectionServedByAnother(GroupListeners.Spread spread) throws Exception {
        InetSocketAddress address = group.serve(ANY_LOCAL_PORT, tellingLoopThenEchoing(), spread);
        CountDownLatch release = new CountDownLatch(1);
        blockFirstLoopUntil(release);
        List<SocketChannel> clients = new ArrayList<>();
        Set<SocketChannel> answered = new HashSet<>();
        int servedByOthers = 0;
        try (Selector selector = Selector.open()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (servedByOthers < SERVED_WHILE_BLOCKED && clients.size() < MAX_CLIENTS_WHILE_BLOCKED
                    && System.nanoTime() - deadline < 0) {
                SocketChannel client = SocketChannel.open(address);
                clients.add(client);
                client.configureBlocking(false);
                client.register(selector, SelectionKey.OP_READ);
                selector.select(20);
                for (SelectionKey key : selector.selectedKeys()) {
                    assertNotEquals(0, firstByte((SocketChannel) key.channel()), "the blocked loop answered");
                    answered.add((SocketChannel) key.channel());
                    servedByOthers++;
                }
                selector.selectedKeys().clear();
            }
        } finally {
            release.countDown();
        }
        for (SocketChannel client : clients) {
            if (!answered.contains(client)) {
                client.configureBlocking(true);  // the selector is closed: each is served now, mostly by loop 0
                assertTrue(Set.of(0, 1).contains(firstByte(client)));
            }
            client.close();  // nothing unread: the handler sees the end of the stream, not a reset
        }
        assertEquals(SERVED_WHILE_BLOCKED, servedByOthers, "loop 1 served only " + servedByOthers + " of "
                + clients.size() + " new connections while loop 0 was blocked (" + spread + ")");
    }

    private static int firstByte(SocketChannel client) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        assertEquals(1, client.read(one), "the handler's first byte");
        return one.get(0);
    }

    /** Blocks loop 0's thread, as a runaway computation would, until {@code release}; returns once it is blocked. */
    private void blockFirstLoopUntil(CountDownLatch release) throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        group.loops().get(0).execute(() -> {
            blocked.countDown();
            awaitQuietly(release);
        });
        assertTrue(blocked.await(30, TimeUnit.SECONDS));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @EnumSource(GroupListeners.Spread.class)
    void closeWithLiveConnectionsKillsTheHandlersAndEndsTheLoops(GroupListeners.Spread spread) throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        InetSocketAddress address = group.serve(ANY_LOCAL_PORT, (socket, peer) -> {
            started.incrementAndGet();
            try {
                socket.write(new byte[] {1}, 0, 1);
                socket.read(new byte[16], 0, 16);  // parks until killed: the client never writes
            } finally {
                finished.incrementAndGet();
            }
        }, spread);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                Socket client = connect(address);
                clients.add(client);
                assertEquals(1, client.getInputStream().read());
            }
            assertEquals(6, started.get());
            group.close();
            assertEquals(6, finished.get(), "every handler ran its finally block before close() returned");
            for (Socket client : clients) {
                assertEndOfStream(client.getInputStream());
            }
            for (Loop loop : group.loops()) {
                assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
            }
            assertThrows(IllegalStateException.class, () -> group.submit(() -> 1));
            assertThrows(IOException.class, () -> connect(address).getInputStream().read());
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private static void assertEndOfStream(InputStream in) throws IOException {
        try {
            assertEquals(-1, in.read());
        } catch (SocketException reset) {
            // A connection closed with unread data may be reset instead: closed all the same.
        }
    }

    @Test
    void aSocketHandedOffWorksOnItsNewLoopOnly() throws Exception {
        Loop first = group.loops().get(0);
        Loop second = group.loops().get(1);
        AsyncResult<InetSocketAddress> listening = new AsyncResult<>();
        AsyncResult<Loop> servedOn = new AsyncResult<>();
        AsyncResult<Throwable> oldObject = new AsyncResult<>();
        first.execute(() -> first.spawn(() -> {
            try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 0)) {
                listening.set(listener.localAddress());
                TcpSocket accepted = listener.accept();
                accepted.handOff(second, (socket, peer) -> {
                    servedOn.set(Loop.current());
                    byte[] buffer = new byte[64];
                    int n = socket.read(buffer, 0, buffer.length);
                    socket.write(buffer, 0, n);
                });
                oldObject.set(assertThrows(SocketException.class, () -> accepted.write(new byte[1], 0, 1)));
            }
        }));
        try (Socket client = connect(listening.get(30, TimeUnit.SECONDS))) {
            assertEchoes(client, "moved");
            assertSame(second, servedOn.get(30, TimeUnit.SECONDS));
            assertNotSame(first, servedOn.get());
            assertTrue(oldObject.get(30, TimeUnit.SECONDS).getMessage().contains("closed"));
            OutputStream out = client.getOutputStream();
            out.close();
        }
    }

    @Test
    void aSocketHandedOffToItsOwnLoopStaysUsable() throws Exception {
        Loop first = group.loops().get(0);
        AsyncResult<InetSocketAddress> listening = new AsyncResult<>();
        AsyncResult<Loop> servedOn = new AsyncResult<>();
        first.execute(() -> first.spawn(() -> {
            try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 0)) {
                listening.set(listener.localAddress());
                listener.accept().handOff(first, (socket, peer) -> {
                    servedOn.set(Loop.current());
                    byte[] buffer = new byte[64];
                    int n = socket.read(buffer, 0, buffer.length);
                    socket.write(buffer, 0, n);
                });
            }
        }));
        try (Socket client = connect(listening.get(30, TimeUnit.SECONDS))) {
            assertEchoes(client, "home");
            assertSame(first, servedOn.get(30, TimeUnit.SECONDS));
        }
    }
}
