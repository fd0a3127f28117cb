package io.greenloop.net;

import io.greenloop.AsyncResult;
import io.greenloop.Green;
import io.greenloop.LoopExtension;
import io.greenloop.Timeout;
import io.greenloop.process.Subprocess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, fault 6: bad input gets the same clear exception on every transport (each runs this from
 * loop's test-jar with {@code -Dgreenloop.transport=NAME}).
 */
class InputCheckTest {

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();


    @Test
    void aBusyPollOutsideWhatTheKernelTakesIsRefusedAndTheOldConstructorLeavesItUnset() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> StreamServer.Options.defaults().withBusyPoll(Duration.ofNanos(-1)));
        assertTrue(negative.getMessage().contains("give 0 (off) to"), negative.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> StreamServer.Options.defaults().withBusyPoll(StreamServer.Options.MAX_BUSY_POLL.plusNanos(1000)));
        assertEquals(Duration.ZERO, StreamServer.Options.defaults().withBusyPoll(Duration.ZERO).busyPoll());
        StreamServer.Options old = new StreamServer.Options(16, false, 4, null, Duration.ofSeconds(3));
        assertEquals(null, old.busyPoll(), "a caller of the five-argument constructor gets the kernel's default");
        assertEquals(null, StreamServer.Options.defaults().busyPoll());
    }

    @Test
    void aNegativeTimeoutSettingIsRefusedAndAZeroOneMeansDoNotWait() throws Exception {
        try (TcpListener listener = TcpListener.bind(NetConformanceTest.ANY_LOCAL_PORT, 0);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), Duration.ofSeconds(10));
             UdpSocket udp = UdpSocket.bind(NetConformanceTest.ANY_LOCAL_PORT)) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> client.setTimeout(Duration.ofMillis(-1)));
            assertTrue(negative.getMessage().contains("cannot be negative"), negative.getMessage());
            assertThrows(IllegalArgumentException.class, () -> udp.setTimeout(Duration.ofSeconds(-5)));
            assertThrows(IllegalArgumentException.class, () -> listener.setTimeout(Duration.ofNanos(-1)));
            assertThrows(IllegalArgumentException.class,
                    () -> StreamServer.Options.defaults().withIdleTimeout(Duration.ofMillis(-1)));

            client.setTimeout(Duration.ZERO);
            SocketTimeoutException noWait = assertThrows(SocketTimeoutException.class, () -> client.read(new byte[1], 0, 1));
            assertTrue(noWait.getMessage().contains("at once"), noWait.getMessage());
            assertFalse(noWait.getMessage().contains("-"), noWait.getMessage());
        }
    }

    @Test
    void aWaitBoundOfZeroOrLessMeansDoNotWaitAndNoMessageSaysMinusOne() {
        TimeoutException noResult = assertThrows(TimeoutException.class,
                () -> new AsyncResult<String>().get(Duration.ofMillis(-1)));
        assertTrue(noResult.getMessage().contains("at once"), noResult.getMessage());
        assertFalse(noResult.getMessage().contains("after -"), noResult.getMessage());
        Timeout.Expired expired = assertThrows(Timeout.Expired.class, () -> {
            try (Timeout ignored = Timeout.start(Duration.ofMillis(-5))) {
                Green.sleep(Duration.ofSeconds(10));
            }
        });
        assertTrue(expired.getMessage().contains("at once"), expired.getMessage());
        assertFalse(expired.getMessage().contains("after -"), expired.getMessage());
    }

    @Test
    void nullsAreNamed() throws Exception {
        try (TcpListener listener = TcpListener.bind(NetConformanceTest.ANY_LOCAL_PORT, 0);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), Duration.ofSeconds(10));
             UdpSocket udp = UdpSocket.bind(NetConformanceTest.ANY_LOCAL_PORT)) {
            assertNamed("b", assertThrows(NullPointerException.class, () -> client.read(null, 0, 1)));
            assertNamed("b", assertThrows(NullPointerException.class, () -> client.write((byte[]) null, 0, 1)));
            assertNamed("src", assertThrows(NullPointerException.class, () -> client.write((ByteBuffer) null)));
            assertNamed("option", assertThrows(NullPointerException.class, () -> client.setOption(null, 1)));
            assertNamed("target", assertThrows(NullPointerException.class, () -> udp.send(ByteBuffer.allocate(1), null)));
            assertNamed("address", assertThrows(NullPointerException.class, () -> TcpSocket.connect(null, Duration.ZERO)));
            NullPointerException command = assertThrows(NullPointerException.class, () -> Subprocess.start("true", null));
            assertTrue(command.getMessage().contains("command[1] is null"), command.getMessage());
        }
    }

    private static void assertNamed(String parameter, NullPointerException e) {
        assertEquals(parameter, e.getMessage(), "the NullPointerException names the parameter");
    }

    @Test
    void badOptionValuesAreRefusedAlikeOnEveryTransport() throws Exception {
        try (TcpListener listener = TcpListener.bind(NetConformanceTest.ANY_LOCAL_PORT, 0);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), Duration.ofSeconds(10))) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> client.setOption(StandardSocketOptions.SO_RCVBUF, -5));
            assertTrue(negative.getMessage().contains("SO_RCVBUF -5 is negative"), negative.getMessage());
            assertThrows(IllegalArgumentException.class, () -> client.setOption(StandardSocketOptions.SO_SNDBUF, -1));
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> client.setOption(StandardSocketOptions.SO_LINGER, null));
            assertTrue(none.getMessage().contains("SO_LINGER needs a value"), none.getMessage());
            client.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            client.setOption(StandardSocketOptions.SO_LINGER, -1);
        }
    }

    @Test
    void aUdpSendToAnAddressFamilyTheSocketCannotReachIsAnIOException() throws Exception {
        try (UdpSocket ipv4 = UdpSocket.bind(NetConformanceTest.ANY_LOCAL_PORT)) {
            IOException e = assertThrows(IOException.class,
                    () -> ipv4.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("::1", 9)));
            assertTrue(e.getMessage().contains("cannot reach the IPv6 address"), e.getMessage());
        }
    }

    @Test
    void aServerStoppedBeforeItStartedSaysSo() throws Exception {
        StreamServer server = new StreamServer(NetConformanceTest.ANY_LOCAL_PORT, (s, p) -> { });
        server.stop(Duration.ZERO);
        IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
        assertTrue(e.getMessage().contains("stopped before it started"), e.getMessage());
        assertThrows(IllegalStateException.class, server::serveForever);
    }
}
