package io.greenloop.spi.unix;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Eventually;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.LoopExtension;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;

import static io.greenloop.spi.unix.Peers.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listener handles on a loop of a native transport (the subclass names it): accepting from greenlets,
 * binding, {@code SO_REUSEPORT}.
 */
public abstract class UnixListenerHandleTest extends UnixTransportCase {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    /** The tests of {@code transport}'s listener handles (see {@link UnixTransportCase}). */
    protected UnixListenerHandleTest(String transport) {
        super(transport);
    }

    private ListenerHandle listen(boolean reusePort, InetSocketAddress address) throws Exception {
        ListenerHandle listener = LowLevel.transportOf(extension.loop()).openListener(StandardProtocolFamily.INET);
        listener.bind(address, 16, reusePort);
        return listener;
    }

    @Test
    void aParkedAcceptWakesForAPeerAndTheAcceptedHandleWorks() throws Exception {
        ListenerHandle listener = listen(false, Peers.LOOPBACK_ANY_PORT);
        assertNull(listener.accept(), "nobody is connecting yet");
        Greenlet<Integer> server = Green.spawn(() -> {
            StreamHandle accepted;
            while ((accepted = listener.accept()) == null) {
                Peers.awaitReady(listener, IoHandle.READ);
            }
            try (StreamHandle connection = accepted) {
                ByteBuffer one = ByteBuffer.allocate(1);
                while (connection.read(one) == 0) {
                    Peers.awaitReady(connection, IoHandle.READ);
                }
                return (int) one.get(0);
            }
        });
        Eventually.await("the server greenlet to park in accept", () -> extension.loop().stats().ioWaiters() == 1);
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress());
            client.getOutputStream().write(77);
            assertTrue(server.join(PATIENCE));
        }
        assertEquals(77, server.get());
        listener.close();
    }

    @Test
    void twoListenersShareAPortWithReusePortButNotWithout() throws Exception {
        ListenerHandle first = listen(true, Peers.LOOPBACK_ANY_PORT);
        InetSocketAddress bound = first.localAddress();
        assertNotEquals(0, bound.getPort());
        ListenerHandle second = listen(true, bound);
        assertEquals(bound, second.localAddress());
        ListenerHandle third = LowLevel.transportOf(extension.loop()).openListener(StandardProtocolFamily.INET);
        assertThrows(BindException.class, () -> third.bind(bound, 16, false));
        third.close();
        first.close();
        second.close();
    }

    @Test
    void anUnboundListenerHasNoAddress() throws Exception {
        ListenerHandle listener = LowLevel.transportOf(extension.loop()).openListener(StandardProtocolFamily.INET);
        assertNull(listener.localAddress());
        listener.close();
    }
}
