package io.greenloop.spi.unix;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.LoopExtension;
import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.IoHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.greenloop.spi.unix.Peers.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP handles on a loop of a native transport (the subclass names it) against a
 * {@code java.net.DatagramSocket} peer.
 */
public abstract class UnixDatagramHandleTest extends UnixTransportCase {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    /** The tests of {@code transport}'s UDP handles (see {@link UnixTransportCase}). */
    protected UnixDatagramHandleTest(String transport) {
        super(transport);
    }

    @Test
    void datagramsGoBothWaysFromHeapAndDirectBuffers() throws Exception {
        DatagramHandle handle = LowLevel.transportOf(extension.loop()).openDatagram(StandardProtocolFamily.INET);
        assertNull(handle.localAddress(), "unbound");
        handle.bind(Peers.LOOPBACK_ANY_PORT);
        InetSocketAddress ours = handle.localAddress();
        assertNull(handle.receive(ByteBuffer.allocate(8)), "nothing has come");
        try (DatagramSocket peer = new DatagramSocket(Peers.LOOPBACK_ANY_PORT)) {
            peer.setSoTimeout((int) PATIENCE.toMillis());
            for (boolean direct : new boolean[] {false, true}) {
                byte[] ping = ("ping " + direct).getBytes(StandardCharsets.UTF_8);
                ByteBuffer out = direct ? ByteBuffer.allocateDirect(ping.length).put(ping).flip() : ByteBuffer.wrap(ping);
                assertTrue(handle.send(out, (InetSocketAddress) peer.getLocalSocketAddress()));
                assertEquals(0, out.remaining());
                DatagramPacket got = new DatagramPacket(new byte[64], 64);
                peer.receive(got);
                assertEquals("ping " + direct, new String(got.getData(), 0, got.getLength(), StandardCharsets.UTF_8));
                assertEquals(ours, got.getSocketAddress());

                Greenlet<String> receiver = Green.spawn(() -> receiveOne(handle, direct));
                byte[] pong = ("pong " + direct).getBytes(StandardCharsets.UTF_8);
                peer.send(new DatagramPacket(pong, pong.length, ours));
                assertTrue(receiver.join(PATIENCE));
                assertEquals("pong " + direct + " from " + peer.getLocalSocketAddress(), receiver.get());
            }
        }
        handle.close();
    }

    private static String receiveOne(DatagramHandle handle, boolean direct) throws Exception {
        ByteBuffer in = direct ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64);
        InetSocketAddress from;
        while ((from = handle.receive(in)) == null) {
            Peers.awaitReady(handle, IoHandle.READ);
        }
        byte[] text = new byte[in.flip().remaining()];
        in.get(text);
        return new String(text, StandardCharsets.UTF_8) + " from " + from;
    }
}
