package io.greenloop.net;

import io.greenloop.Eventually;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a server author needs from {@link TcpSocket} beyond read and write: gathering writes,
 * {@code transferFrom} (sendfile) and reading socket options back; on nio in loop's build, and on each
 * native transport from loop's test-jar with {@code -Dgreenloop.transport=NAME} (see {@code TransportUnderTest}).
 * Each test accepts one connection from a plain JDK client on a thread of its own, which reads to the end;
 * the client waits before reading and the server's send buffer is small, so the writes must park.
 */
public class ServerFeaturesConformanceTest {

    static final InetSocketAddress ANY_LOCAL_PORT = new InetSocketAddress("127.0.0.1", 0);
    /** A send buffer far smaller than what the tests write, so that they park on it. */
    static final int SMALL_SEND_BUFFER = 16 * 1024;
    /** How long the client waits before it reads, so that the server fills its send buffer first. */
    static final long CLIENT_DELAY_MILLIS = 200;

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    /** The transport under test: {@code greenloop.transport} in a transport module's run, nio in loop's own. */
    private String transport() {
        return loops.loop().transport();
    }

    /** What the server does with the one accepted connection before closing it. */
    @FunctionalInterface
    interface Serve {
        void on(TcpSocket socket) throws IOException;
    }

    /** Accepts one JDK client, runs {@code serve} on the connection, closes it; returns all the client read. */
    private byte[] serveOneClient(Serve serve) throws Exception {
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 0)) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAllAfterDelay(listener.localAddress()),
                    runnable -> Thread.ofPlatform().name("jdk-client").start(runnable));
            try (TcpSocket socket = listener.accept()) {
                socket.setOption(StandardSocketOptions.SO_SNDBUF, SMALL_SEND_BUFFER);
                serve.on(socket);
            }
            return received.get(60, TimeUnit.SECONDS);
        }
    }

    private static byte[] readAllAfterDelay(InetSocketAddress address) {
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(SMALL_SEND_BUFFER);
            client.connect(address, 10_000);
            Thread.sleep(CLIENT_DELAY_MILLIS);
            InputStream in = client.getInputStream();
            return in.readAllBytes();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void gatheringWriteSendsEveryBufferInOrderAndParksOnAFullSendBuffer() throws Exception {
        byte[] big = randomBytes(3 << 20, 1);
        byte[] small = randomBytes(1000, 2);
        ByteBuffer direct = ByteBuffer.allocateDirect(big.length).put(big).flip();
        ByteBuffer heapSlice = ByteBuffer.wrap(small, 10, 900);
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer heapBig = ByteBuffer.wrap(big);
        ByteBuffer[] buffers = {direct, empty, heapSlice, heapBig};

        byte[] received = serveOneClient(socket -> socket.write(buffers));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(big);
        expected.write(small, 10, 900);
        expected.write(big);
        assertArrayEquals(expected.toByteArray(), received);
        for (ByteBuffer buffer : buffers) {
            assertFalse(buffer.hasRemaining(), () -> "a buffer was left with bytes: " + buffer);
        }
    }

    @Test
    void gatheringWriteOfManyMixedBuffersKeepsTheirOrder() throws Exception {
        // More buffers than one writev takes (IOV_MAX is 1024): the write must go on where the last call stopped.
        assertManyBuffersArriveInOrder(i -> i % 3 != 0);
    }

    @Test
    void gatheringWriteOfManyDirectBuffersKeepsTheirOrder() throws Exception {
        assertManyBuffersArriveInOrder(i -> true);
    }

    private void assertManyBuffersArriveInOrder(java.util.function.IntPredicate direct) throws Exception {
        ByteBuffer[] buffers = new ByteBuffer[3000];
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < buffers.length; i++) {
            byte[] chunk = randomBytes(1 + i % 97 + (i % 500 == 0 ? 200_000 : 0), i);
            expected.write(chunk);
            buffers[i] = (direct.test(i) ? ByteBuffer.allocateDirect(chunk.length) : ByteBuffer.allocate(chunk.length)).put(chunk).flip();
        }
        assertArrayEquals(expected.toByteArray(), serveOneClient(socket -> socket.write(buffers)));
        for (ByteBuffer buffer : buffers) {
            assertFalse(buffer.hasRemaining(), () -> "a buffer was left with bytes: " + buffer);
        }
    }

    @Test
    void transferFromSendsTheFileRangeAndParksOnAFullSendBuffer(@TempDir Path dir) throws Exception {
        byte[] content = randomBytes(6 << 20, 3);
        Path path = Files.write(dir.resolve("content.bin"), content);
        int from = 12_345;
        int count = 4 << 20;
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            long[] sent = new long[1];
            byte[] received = serveOneClient(socket -> sent[0] = socket.transferFrom(file, from, count));
            assertEquals(count, sent[0]);
            assertArrayEquals(java.util.Arrays.copyOfRange(content, from, from + count), received);
            assertEquals(0, file.position(), "transferFrom must leave the file's own position alone");
        }
    }

    @Test
    void transferFromStopsAtTheEndOfTheFile(@TempDir Path dir) throws Exception {
        byte[] content = randomBytes(5000, 4);
        Path path = Files.write(dir.resolve("short.bin"), content);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            long[] sent = new long[2];
            byte[] received = serveOneClient(socket -> {
                sent[0] = socket.transferFrom(file, 4900, 1 << 20);
                sent[1] = socket.transferFrom(file, 6000, 10);
            });
            assertEquals(100, sent[0]);
            assertEquals(0, sent[1], "a position past the end sends nothing");
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 4900, 5000), received);
            assertThrows(IllegalArgumentException.class, () -> serveOneClient(socket -> socket.transferFrom(file, -1, 10)));
        }
    }

    @Test
    void optionsReadBackWhatWasSet() throws Exception {
        serveOneClient(socket -> {
            assertEquals(true, socket.option(StandardSocketOptions.TCP_NODELAY), "TCP_NODELAY is on by default");
            socket.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertEquals(false, socket.option(StandardSocketOptions.TCP_NODELAY));
            socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertEquals(true, socket.option(StandardSocketOptions.SO_KEEPALIVE));
            socket.setOption(StandardSocketOptions.SO_LINGER, 7);
            assertEquals(7, socket.option(StandardSocketOptions.SO_LINGER));
            socket.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertTrue(socket.option(StandardSocketOptions.SO_RCVBUF) > 0);
            assertTrue(socket.option(StandardSocketOptions.SO_SNDBUF) >= SMALL_SEND_BUFFER,
                    "the send buffer read back is at least what was set (Linux doubles it)");
        });
    }

    @Test
    void aConnectingSocketHasNoDelayOnToo() throws Exception {
        try (TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 0);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), null);
             TcpSocket accepted = listener.accept()) {
            assertEquals(true, client.option(StandardSocketOptions.TCP_NODELAY));
            assertEquals(true, accepted.option(StandardSocketOptions.TCP_NODELAY));
        }
    }

    @Test
    void linuxOptionsWorkOnEpollAndAreRefusedClearlyElsewhere() throws Exception {
        serveOneClient(socket -> {
            List<SocketOption<?>> linux = List.of(LinuxSocketOptions.TCP_CORK, LinuxSocketOptions.TCP_QUICKACK,
                    LinuxSocketOptions.TCP_NOTSENT_LOWAT);
            if (transport().equals("epoll")) {
                socket.setOption(LinuxSocketOptions.TCP_CORK, true);
                assertEquals(true, socket.option(LinuxSocketOptions.TCP_CORK));
                socket.setOption(LinuxSocketOptions.TCP_CORK, false);
                assertEquals(false, socket.option(LinuxSocketOptions.TCP_CORK));
                socket.setOption(LinuxSocketOptions.TCP_NOTSENT_LOWAT, 32 * 1024);
                assertEquals(32 * 1024, socket.option(LinuxSocketOptions.TCP_NOTSENT_LOWAT));
                socket.setOption(LinuxSocketOptions.TCP_QUICKACK, true);
                socket.option(LinuxSocketOptions.TCP_QUICKACK);  // Linux may clear it again at any time
            } else {
                for (SocketOption<?> option : linux) {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> socket.option(option));
                    assertTrue(e.getMessage().contains(option.name()), e::getMessage);
                }
            }
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> socket.option(StandardSocketOptions.IP_MULTICAST_TTL));
            assertTrue(e.getMessage().contains("IP_MULTICAST_TTL") && e.getMessage().contains(transport()), e::getMessage);
        });
    }

    /**
     * {@code SO_BUSY_POLL} on epoll: a server's accepted connections have the value its options asked (set on the
     * listener, which they inherit), a connected socket takes it with {@code setOption}, each reads it back. That
     * the kernel then busy-polls cannot be shown over loopback, which has no device queue to poll. Elsewhere the
     * server refuses to start, saying why.
     */
    @Test
    void busyPollIsSetOnAcceptedConnectionsOnEpollAndRefusedClearlyElsewhere() throws Exception {
        CompletableFuture<Integer> accepted = new CompletableFuture<>();
        StreamServer server = new StreamServer(ANY_LOCAL_PORT, (socket, peer) -> accepted.complete(socket.option(LinuxSocketOptions.SO_BUSY_POLL)),
                StreamServer.Options.defaults().withBusyPoll(Duration.ofNanos(49_001)));
        if (!transport().equals("epoll")) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, server::start);
            assertTrue(e.getMessage().contains("withBusyPoll: the " + transport() + " transport cannot set SO_BUSY_POLL")
                    && e.getMessage().contains("serve on epoll"), e::getMessage);
            return;
        }
        server.start();
        try (TcpSocket client = TcpSocket.connect(server.address(), Duration.ofSeconds(10))) {
            Eventually.await("the handler to read SO_BUSY_POLL back", accepted::isDone);
            assertEquals(50, accepted.get(), "49.001 us, rounded up to whole microseconds");
            client.setOption(LinuxSocketOptions.SO_BUSY_POLL, 25);
            assertEquals(25, client.option(LinuxSocketOptions.SO_BUSY_POLL));
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> client.setOption(LinuxSocketOptions.SO_BUSY_POLL, -1));
            assertTrue(negative.getMessage().contains("give 0 (off) or more"), negative::getMessage);
        } finally {
            server.close();
        }
    }
}
