package io.greenloop.net;

import io.greenloop.LoopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpSocket#connect(String, int)} as Python's {@code socket.create_connection}: every address of
 * the name in order until one connects. 127.0.0.2 and 127.0.0.3 are loopback addresses on which nothing
 * listens (the listener binds 127.0.0.1 only), so connecting there is refused.
 */
class TcpSocketConnectTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void triesEachAddressInOrderUntilOneConnects() throws Exception {
        InetAddress refusing = InetAddress.getByName("127.0.0.2");
        InetAddress listening = InetAddress.getByName("127.0.0.1");
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress(listening, 0), 1)) {
            int port = listener.localAddress().getPort();
            try (TcpSocket socket = TcpSocket.connectToFirst("test-host", List.of(refusing, listening), port)) {
                assertEquals(new InetSocketAddress(listening, port), socket.remoteAddress());
            }
        }
    }

    @Test
    void theFailureNamesEveryAddressTried() throws Exception {
        int port;
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1)) {
            port = listener.localAddress().getPort();
        }
        List<InetAddress> addresses = List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"));
        IOException failure = assertThrows(ConnectException.class, () -> TcpSocket.connectToFirst("test-host", addresses, port));
        String message = failure.getMessage();
        assertTrue(message.contains("test-host:" + port) && message.contains("127.0.0.2") && message.contains("127.0.0.3"), message);
        assertEquals(2, failure.getSuppressed().length);
    }

    @Test
    void aLiteralIsConnectedToDirectly() throws Exception {
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
             TcpSocket socket = TcpSocket.connect("127.0.0.1", listener.localAddress().getPort())) {
            assertEquals(listener.localAddress().getPort(), socket.remoteAddress().getPort());
        }
    }
}
