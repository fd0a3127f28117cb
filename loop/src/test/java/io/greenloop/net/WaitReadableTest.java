package io.greenloop.net;

import io.greenloop.Event;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpSocket#waitReadable()} and {@link TlsSocket#waitReadable()}: a wait for the next bytes that reads
 * nothing, so that a server can wait for a request before it lends a buffer. Whether a call parked is read from
 * the loop's poll count ({@link Loop.Stats#polls()}): a greenlet that does not park lets no poll happen, so an
 * unchanged count says "it did not wait", on every transport and however loaded the machine. Like the rest of
 * the socket suite it runs on each transport from loop's test-jar.
 */
class WaitReadableTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    private Loop loop;
    private TcpListener listener;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        loop = loops.loop();
        listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), 8);
        open.add(listener);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    /**
     * A connected pair: [0] the client's end, [1] the accepted end, whose last read drained it. A socket nobody
     * read yet may be readable as far as its transport knows (NIO has not asked the selector, epoll has not
     * reported its first edge), and then a wait returns at once, as its contract allows; a drained socket is
     * what a server's connection is between requests, and the state whose wait must park.
     */
    private TcpSocket[] pair() throws IOException {
        TcpSocket client = TcpSocket.connect(listener.localAddress(), Duration.ofSeconds(10));
        open.add(client);
        TcpSocket accepted = listener.accept();
        open.add(accepted);
        client.write(ByteBuffer.wrap(ascii("!")));
        assertEquals(1, accepted.read(ByteBuffer.allocate(64)));  // a short read: the receive queue is empty after it
        return new TcpSocket[] {client, accepted};
    }

    /** Drives the loop until {@code greenlet} parked in a wait on a socket (an I/O waiter), or finished. */
    private void awaitParkedOnIo(Greenlet<?> greenlet) {
        while (loop.stats().ioWaiters() == 0 && !greenlet.dead()) {
            loop.runOnce(false);
        }
    }

    /** A greenlet parked in {@code socket.waitReadable()}, checked to be waiting still. */
    private Greenlet<Void> parkedInWaitReadable(TcpSocket socket) {
        Greenlet<Void> waiter = loop.spawn(() -> {
            socket.waitReadable();
            return null;
        });
        awaitParkedOnIo(waiter);
        assertFalse(waiter.dead(), "waitReadable returned before anything was sent");
        return waiter;
    }

    /** How a test sends from the other end: a {@code TcpSocket}'s or a {@code TlsSocket}'s write. */
    @FunctionalInterface
    private interface Sender {
        void write(ByteBuffer bytes) throws IOException;
    }

    /** Checks that {@code reader} waits while nothing is sent, then sends "hello" and expects it to read just that. */
    private void assertWaitsForHello(Greenlet<String> reader, Sender peer) throws Exception {
        awaitParkedOnIo(reader);
        assertFalse(reader.dead(), "waitReadable returned before anything was sent");
        peer.write(ByteBuffer.wrap(ascii("hello")));
        assertTrue(reader.join(LIMIT));
        assertEquals("hello", reader.get());
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void parksUntilBytesArriveAndLeavesThemForTheReadThatFollows() throws Exception {
        TcpSocket[] sockets = pair();
        long[] pollsAfterWait = new long[1];
        Greenlet<String> reader = loop.spawn(() -> {
            sockets[1].waitReadable();
            pollsAfterWait[0] = loop.stats().polls();
            ByteBuffer buffer = ByteBuffer.allocate(64);
            int n = sockets[1].read(buffer);
            assertEquals(pollsAfterWait[0], loop.stats().polls(), "the read after the wait waited again");
            return new String(buffer.array(), 0, n, StandardCharsets.US_ASCII);
        });
        assertWaitsForHello(reader, sockets[0]::write);
    }

    @Test
    void returnsAtOnceWhileTheLastReadLeftBytesUnread() throws Exception {
        TcpSocket[] sockets = pair();
        sockets[0].write(ByteBuffer.wrap(ascii("0123456789")));
        Greenlet<String> reader = loop.spawn(() -> {
            ByteBuffer first = ByteBuffer.allocate(4);  // filled whole: the socket may hold more
            assertEquals(4, sockets[1].read(first));
            long polls = loop.stats().polls();
            sockets[1].waitReadable();
            assertEquals(polls, loop.stats().polls(), "waitReadable waited with bytes left to read");
            byte[] rest = NetConformanceTest.readFully(sockets[1], 6);
            return new String(first.array(), StandardCharsets.US_ASCII) + new String(rest, StandardCharsets.US_ASCII);
        });
        assertTrue(reader.join(LIMIT));
        assertEquals("0123456789", reader.get());
    }

    @Test
    void theEndOfTheStreamEndsTheWait() throws Exception {
        TcpSocket[] sockets = pair();
        Greenlet<Integer> reader = loop.spawn(() -> {
            sockets[1].waitReadable();
            return sockets[1].read(ByteBuffer.allocate(8));
        });
        awaitParkedOnIo(reader);
        assertFalse(reader.dead(), "waitReadable returned before the end of the stream");
        sockets[0].shutdownOutput();
        assertTrue(reader.join(LIMIT));
        assertEquals(-1, reader.get());
    }

    @Test
    void theSocketTimeoutBoundsTheWaitAndLeavesTheSocketOpen() throws Exception {
        TcpSocket[] sockets = pair();
        sockets[1].setTimeout(Duration.ofMillis(50));
        SocketTimeoutException timedOut = assertThrows(SocketTimeoutException.class, sockets[1]::waitReadable);
        assertTrue(timedOut.getMessage().contains("TcpSocket.waitReadable"), timedOut.getMessage());
        assertFalse(sockets[1].isClosed());
        sockets[0].write(ByteBuffer.wrap(ascii("x")));
        sockets[1].setTimeout(LIMIT);
        sockets[1].waitReadable();
        assertEquals(1, sockets[1].read(ByteBuffer.allocate(8)));
    }

    @Test
    void closingTheSocketWakesTheWaiterWithSocketClosed() throws Exception {
        TcpSocket[] sockets = pair();
        Greenlet<Void> waiter = parkedInWaitReadable(sockets[1]);
        sockets[1].close();
        assertTrue(waiter.join(LIMIT));
        SocketException closed = assertInstanceOf(SocketException.class, waiter.exception());
        loops.forgetError(closed);
        assertEquals("socket closed", closed.getMessage());
        assertThrows(SocketException.class, sockets[1]::waitReadable);
    }

    @Test
    void aWaitCountsAsTheSocketsReader() throws Exception {
        TcpSocket[] sockets = pair();
        Greenlet<Void> waiter = parkedInWaitReadable(sockets[1]);
        IllegalStateException second = assertThrows(IllegalStateException.class, () -> sockets[1].read(ByteBuffer.allocate(8)));
        assertTrue(second.getMessage().contains("another greenlet is already reading"), second.getMessage());
        sockets[0].write(ByteBuffer.wrap(ascii("x")));
        assertTrue(waiter.join(LIMIT));
        assertTrue(waiter.successful());
    }

    /** A TLS pair over {@link #pair()}, both handshakes done: [0] the client, [1] the server. */
    private TlsSocket[] tlsPair() throws Exception {
        TcpSocket[] sockets = pair();
        TlsSocket client = TlsSocket.client(sockets[0], TestKeys.client(), "localhost");
        TlsSocket server = TlsSocket.server(sockets[1], TestKeys.server());
        open.add(client);
        open.add(server);
        Greenlet<Void> serverSide = loop.spawn(() -> {
            server.handshake();
            return null;
        });
        client.handshake();
        assertTrue(serverSide.join(LIMIT));
        serverSide.get();
        return new TlsSocket[] {client, server};
    }

    @Test
    void tlsParksUntilApplicationBytesArrive() throws Exception {
        TlsSocket[] tls = tlsPair();
        Greenlet<String> reader = loop.spawn(() -> {
            tls[1].waitReadable();
            return new String(TlsConformanceTest.readFully(tls[1], 5), StandardCharsets.US_ASCII);
        });
        assertWaitsForHello(reader, tls[0]::write);
    }

    @Test
    void tlsReturnsAtOnceWhileDecryptedBytesWaitToBeRead() throws Exception {
        TlsSocket[] tls = tlsPair();
        tls[0].write(ByteBuffer.wrap(ascii("abcdef")));  // one record
        Greenlet<String> reader = loop.spawn(() -> {
            String first = new String(TlsConformanceTest.readFully(tls[1], 3), StandardCharsets.US_ASCII);
            long polls = loop.stats().polls();
            tls[1].waitReadable();  // nothing more comes: "def" is all there is, decrypted already
            assertEquals(polls, loop.stats().polls(), "waitReadable waited with decrypted bytes unread");
            return first + new String(TlsConformanceTest.readFully(tls[1], 3), StandardCharsets.US_ASCII);
        });
        assertTrue(reader.join(LIMIT));
        assertEquals("abcdef", reader.get());
    }

    @Test
    void tlsReturnsAtOnceWhileReceivedBytesWaitToBeDecrypted() throws Exception {
        TlsSocket[] tls = tlsPair();
        byte[] sent = TlsConformanceTest.pattern(20_000, 7);  // two records: 16 KiB and the rest
        Event written = new Event();
        Greenlet<Void> writer = loop.spawn(() -> {
            tls[0].write(ByteBuffer.wrap(sent));  // on loopback both records are in the server's queue on return
            written.set();
            return null;
        });
        Greenlet<byte[]> reader = loop.spawn(() -> {
            written.await();
            byte[] first = TlsConformanceTest.readFully(tls[1], 16 * 1024);  // the first record; the second is read, not decrypted
            long polls = loop.stats().polls();
            tls[1].waitReadable();
            assertEquals(polls, loop.stats().polls(), "waitReadable waited with received bytes not decrypted yet");
            byte[] rest = TlsConformanceTest.readFully(tls[1], sent.length - first.length);
            byte[] all = new byte[sent.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(rest, 0, all, first.length, rest.length);
            return all;
        });
        assertTrue(writer.join(LIMIT));
        writer.get();
        assertTrue(reader.join(LIMIT));
        assertArrayEquals(sent, reader.get());
    }

    @Test
    void tlsCloseNotifyEndsTheWait() throws Exception {
        TlsSocket[] tls = tlsPair();
        Greenlet<Integer> reader = loop.spawn(() -> {
            tls[1].waitReadable();
            return tls[1].read(ByteBuffer.allocate(8));
        });
        awaitParkedOnIo(reader);
        tls[0].close();
        assertTrue(reader.join(LIMIT));
        assertEquals(-1, reader.get());
    }
}
