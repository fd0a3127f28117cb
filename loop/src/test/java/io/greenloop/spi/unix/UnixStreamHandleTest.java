package io.greenloop.spi.unix;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Eventually;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.LoopExtension;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.StreamHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.greenloop.spi.unix.Peers.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stream handles on a loop of a native transport (the subclass names it), used from greenlets through the
 * SPI, against {@code java.net} peers.
 */
public abstract class UnixStreamHandleTest extends UnixTransportCase {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    /** The tests of {@code transport}'s stream handles (see {@link UnixTransportCase}). */
    protected UnixStreamHandleTest(String transport) {
        super(transport);
    }

    /** Writes all of {@code data}, parking on WRITE whenever the send buffer is full. */
    private static void writeAll(StreamHandle handle, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (handle.write(data) == 0) {
                Peers.awaitReady(handle, IoHandle.WRITE);
            }
        }
    }

    /** Reads exactly {@code dst.remaining()} bytes, parking on READ whenever nothing is there. */
    private static void readFully(StreamHandle handle, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = handle.read(dst);
            if (n < 0) {
                throw new IOException("end of stream with " + dst.remaining() + " bytes to go");
            }
            if (n == 0) {
                Peers.awaitReady(handle, IoHandle.READ);
            }
        }
    }

    @Test
    void aMebibyteGoesThroughAnEchoPeerFromHeapAndFromDirectBuffers() throws Exception {
        assertEquals(transportName, extension.loop().transport());
        byte[] payload = new byte[1 << 20];  // 16 times the scratch buffer that heap buffers are copied through
        new Random(4).nextBytes(payload);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(Peers.LOOPBACK_ANY_PORT);
            Thread echo = Thread.ofPlatform().start(() -> echoTwice(server, payload.length));
            for (boolean direct : new boolean[] {false, true}) {
                Greenlet<byte[]> client = Green.spawn(() -> roundTrip(extension.loop(), server, payload, direct));
                client.join();
                assertArrayEquals(payload, client.get(), direct ? "direct buffers" : "heap buffers");
            }
            echo.join(PATIENCE.toMillis());
        }
    }

    private static byte[] roundTrip(Loop loop, ServerSocket server, byte[] payload, boolean direct) throws IOException {
        try (StreamHandle handle = LowLevel.transportOf(loop).openStream(StandardProtocolFamily.INET)) {
            if (!handle.connect((InetSocketAddress) server.getLocalSocketAddress())) {
                Peers.awaitReady(handle, IoHandle.WRITE);
                assertTrue(handle.finishConnect());
            }
            ByteBuffer out = direct ? ByteBuffer.allocateDirect(payload.length).put(payload).flip() : ByteBuffer.wrap(payload);
            ByteBuffer in = direct ? ByteBuffer.allocateDirect(payload.length) : ByteBuffer.allocate(payload.length);
            // The echo peer reads everything before it writes back, so writing all first cannot deadlock.
            writeAll(handle, out);
            readFully(handle, in);
            byte[] received = new byte[payload.length];
            in.flip().get(received);
            return received;
        }
    }

    private static void echoTwice(ServerSocket server, int length) {
        for (int round = 0; round < 2; round++) {
            try (Socket peer = server.accept()) {
                byte[] all = peer.getInputStream().readNBytes(length);
                peer.getOutputStream().write(all);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void readReturnsZeroWhenItWouldBlockAndMinusOneAtEndOfStream() throws Exception {
        Peers.Pair pair = Peers.connect(LowLevel.transportOf(extension.loop()));
        ByteBuffer buffer = ByteBuffer.allocate(16);
        assertEquals(0, pair.handle().read(buffer));
        assertEquals(0, pair.handle().read(ByteBuffer.allocate(0)), "no room: nothing to do");
        pair.peer().getOutputStream().write(new byte[] {1, 2, 3});
        pair.peer().shutdownOutput();
        Peers.awaitReady(pair.handle(), IoHandle.READ);
        assertEquals(3, pair.handle().read(buffer));
        assertEquals(-1, pair.handle().read(buffer));
        assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOf(buffer.array(), 3));
        pair.close();
    }

    @Test
    void aShortReadDrainsTheReadinessUntilTheNextEdgeButNotAfterAHangUp() throws Exception {
        Peers.Pair pair = Peers.connect(LowLevel.transportOf(extension.loop()));
        StreamHandle handle = pair.handle();
        OutputStream peer = pair.peer().getOutputStream();
        peer.write(new byte[] {1, 2, 3});
        Peers.awaitReady(handle, IoHandle.READ);
        assertTrue(handle.mayBeReadable());
        assertEquals(3, handle.read(ByteBuffer.allocate(16)));
        assertFalse(handle.mayBeReadable(), "a short read took all there was; the next byte is a new edge");
        peer.write(4);
        Peers.awaitReady(handle, IoHandle.READ);  // the new byte is reported although the read never returned 0
        assertTrue(handle.mayBeReadable());
        assertEquals(1, handle.read(ByteBuffer.allocateDirect(16)));
        assertFalse(handle.mayBeReadable(), "the same from a direct buffer");
        peer.write(new byte[] {5, 6});
        pair.peer().shutdownOutput();
        Green.sleep(java.time.Duration.ofMillis(50));  // let data and end of stream arrive before the poll reports them
        Peers.awaitReady(handle, IoHandle.READ);
        assertEquals(2, handle.read(ByteBuffer.allocate(16)));
        assertTrue(handle.mayBeReadable(), "after a hang-up, end of stream brings no new edge: a short read proves nothing");
        assertEquals(-1, handle.read(ByteBuffer.allocate(16)));
        pair.close();
    }

    @Test
    void aRefusedConnectIsAConnectException() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        StreamHandle handle = LowLevel.transportOf(extension.loop()).openStream(StandardProtocolFamily.INET);
        InetSocketAddress nowhere = new InetSocketAddress("127.0.0.1", closedPort);
        ConnectException refused = assertThrows(ConnectException.class, () -> {
            if (!handle.connect(nowhere)) {
                Peers.awaitReady(handle, IoHandle.WRITE);
                handle.finishConnect();
            }
        });
        assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
        handle.close();
    }

    @Test
    void aPeerThatClosesWhileAWriteIsParkedWakesTheWriterWhoseNextWriteFails() throws Exception {
        Peers.Pair pair = Peers.connect(LowLevel.transportOf(extension.loop()));
        pair.handle().setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        CountDownLatch parked = new CountDownLatch(1);
        Greenlet<Integer> writer = Green.spawn(() -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
            while (pair.handle().write(chunk.clear()) > 0) {
                Green.sleep();  // the peer never reads: the send buffer fills up
            }
            parked.countDown();
            int ops = Peers.awaitReady(pair.handle(), IoHandle.WRITE);
            assertThrows(SocketException.class, () -> {
                while (true) {  // the first write fails on Linux; elsewhere the reset may come a little later
                    if (pair.handle().write(chunk.clear()) == 0) {
                        Peers.awaitReady(pair.handle(), IoHandle.WRITE);
                    }
                }
            });
            return ops;
        });
        Loop loop = extension.loop();
        Thread owner = Thread.currentThread();
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                assertTrue(parked.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
                Eventually.awaitOffLoop("the writer to park and the loop to block in its poll",
                        () -> loop.stats().ioWaiters() > 0 && Eventually.blockedInPoll(owner));
                pair.peer().close();  // unread data in its receive buffer: the close resets the connection
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(writer.join(PATIENCE), "the parked writer was not woken by the peer's close");
        closer.join();
        assertTrue(writer.successful(), () -> "writer failed: " + writer.exception());
        assertEquals(IoHandle.WRITE, writer.value() & IoHandle.WRITE);
        pair.handle().close();
    }

    @Test
    void shutdownOutputHalfClosesAndTheReplyStillArrives() throws Exception {
        Peers.Pair pair = Peers.connect(LowLevel.transportOf(extension.loop()));
        pair.handle().write(ByteBuffer.wrap(new byte[] {9}));
        pair.handle().shutdownOutput();
        InputStream in = pair.peer().getInputStream();
        assertEquals(9, in.read());
        assertEquals(-1, in.read(), "FIN after the byte");
        OutputStream out = pair.peer().getOutputStream();
        out.write(10);
        Peers.awaitReady(pair.handle(), IoHandle.READ);
        ByteBuffer reply = ByteBuffer.allocate(1);
        assertEquals(1, pair.handle().read(reply));
        assertEquals(10, reply.get(0));
        pair.close();
    }

    @Test
    void addressesOptionsAndUseAfterClose() throws Exception {
        StreamHandle unconnected = LowLevel.transportOf(extension.loop()).openStream(StandardProtocolFamily.INET);
        assertNull(unconnected.localAddress());
        assertNull(unconnected.remoteAddress());
        unconnected.close();
        assertTrue(unconnected.isClosed());
        assertThrows(ClosedChannelException.class, () -> unconnected.read(ByteBuffer.allocate(1)));
        unconnected.close();  // idempotent

        Peers.Pair pair = Peers.connect(LowLevel.transportOf(extension.loop()));
        assertEquals(pair.peer().getRemoteSocketAddress(), pair.handle().localAddress());
        assertEquals(pair.peer().getLocalSocketAddress(), pair.handle().remoteAddress());
        pair.handle().setOption(StandardSocketOptions.TCP_NODELAY, true);
        pair.handle().setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        UnsupportedOperationException unsupported = assertThrows(UnsupportedOperationException.class,
                () -> pair.handle().setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true));
        assertTrue(unsupported.getMessage().contains("TCP_NODELAY"), unsupported.getMessage());
        assertFalse(pair.handle().isClosed());
        pair.close();
    }
}
