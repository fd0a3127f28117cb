package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.LoopExtension;
import io.greenloop.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault table of the transport conformance suite: the same fault gives the same exception type on every
 * transport. Resets and broken pipes are {@link SocketException}s (the {@code java.net} convention), and so is any
 * use of a socket after {@code shutdownOutput} or {@code close}. Durations follow one rule: a negative
 * <em>setting</em> ({@code setTimeout}, an option) is an {@link IllegalArgumentException} and {@code null} means "no
 * limit"; a <em>wait bound</em> at or below zero means "do not wait" (the {@code java.util.concurrent} convention):
 * the operation is tried once and times out if it cannot complete at once; for {@code connect}, the connection must
 * be made by the {@code connect(2)} call itself. Every row runs, and the test lists every row a transport gets wrong.
 * Every transport module runs this from loop's test-jar, like {@link NetConformanceTest}.
 */
public class FaultTableConformanceTest {

    /** How long one row may take: a row that hangs is reported as such, and the other rows still run. */
    private static final Duration ROW_LIMIT = Duration.ofSeconds(10);
    private static final InetSocketAddress ANY_LOCAL_PORT = NetConformanceTest.ANY_LOCAL_PORT;
    private static final Duration CONNECT_TIMEOUT = NetConformanceTest.CONNECT_TIMEOUT;
    private static final Duration MINUS_ONE_MS = Duration.ofMillis(-1);
    /** So negative that it has no count of nanoseconds: it must still mean "do not wait", not "no limit". */
    private static final Duration MOST_NEGATIVE = Duration.ofSeconds(Long.MIN_VALUE);
    private static final String AT_ONCE = "means: do not wait";

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    private final List<AutoCloseable> opened = new ArrayList<>();
    /** The silent listener and the connections that fill its queue, kept for the whole table. */
    private final List<AutoCloseable> silentParts = new ArrayList<>();
    private InetSocketAddress silentListener;
    private Path file;

    /** What a row does to meet its fault. */
    @FunctionalInterface
    interface Attempt {
        void run() throws Exception;
    }

    /**
     * One row: the fault, the exception type it must raise ({@code null}: none), a fragment its message must
     * hold ({@code null}: any), and what the caller does.
     */
    record Row(String fault, Class<? extends Throwable> expected, String messageHas, Attempt attempt) {
        static Row of(String fault, Class<? extends Throwable> expected, Attempt attempt) {
            return new Row(fault, expected, null, attempt);
        }
    }

    private List<Row> table() {
        byte[] one = {1};
        return List.of(
                Row.of("read after the peer reset", SocketException.class,
                        () -> resetByPeer().read(ByteBuffer.allocate(16))),
                Row.of("write after the peer reset", SocketException.class, () -> {
                    TcpSocket socket = resetByPeer();
                    untilItFails(() -> socket.write(one, 0, 1));
                }),
                Row.of("gathering write after the peer reset", SocketException.class, () -> {
                    TcpSocket socket = resetByPeer();
                    untilItFails(() -> socket.write(ByteBuffer.wrap(one), ByteBuffer.allocateDirect(1)));
                }),
                Row.of("transferFrom after the peer reset", SocketException.class, () -> {
                    TcpSocket socket = resetByPeer();
                    untilItFails(() -> sendFile(socket));
                }),
                Row.of("write after the peer closed (broken pipe)", SocketException.class, () -> {
                    TcpSocket[] pair = pair();
                    pair[1].close();
                    untilItFails(() -> pair[0].write(ByteBuffer.allocateDirect(1)));
                }),
                Row.of("write after shutdownOutput", SocketException.class, () -> {
                    TcpSocket socket = pair()[0];
                    socket.shutdownOutput();
                    socket.write(one, 0, 1);
                }),
                Row.of("direct write after shutdownOutput", SocketException.class, () -> {
                    TcpSocket socket = pair()[0];
                    socket.shutdownOutput();
                    socket.write(ByteBuffer.allocateDirect(1));
                }),
                Row.of("gathering write after shutdownOutput", SocketException.class, () -> {
                    TcpSocket socket = pair()[0];
                    socket.shutdownOutput();
                    socket.write(ByteBuffer.allocateDirect(1), ByteBuffer.wrap(one));
                }),
                Row.of("transferFrom after shutdownOutput", SocketException.class, () -> {
                    TcpSocket socket = pair()[0];
                    socket.shutdownOutput();
                    sendFile(socket);
                }),
                Row.of("a write under way when another greenlet calls shutdownOutput", SocketException.class, () -> {
                    TcpSocket socket = pair()[0];
                    byte[] more = new byte[64 << 20];  // more than the peer, who never reads, can take
                    Greenlet<Void> writer = Green.spawn(() -> socket.write(more, 0, more.length));
                    Green.sleep(Duration.ofMillis(50));
                    socket.shutdownOutput();
                    writer.join(ROW_LIMIT);
                    rethrow(writer.exception());
                }),
                Row.of("read after close", SocketException.class, () -> {
                    TcpSocket socket = pair()[0];
                    socket.close();
                    socket.read(ByteBuffer.allocate(1));
                }),
                Row.of("write after close", SocketException.class, () -> {
                    TcpSocket socket = pair()[0];
                    socket.close();
                    socket.write(one, 0, 1);
                }),
                Row.of("connect to a port nobody listens on", ConnectException.class,
                        () -> keep(TcpSocket.connect(closedPort(), CONNECT_TIMEOUT))),
                new Row("connect to a listener that never answers, bound 200 ms", SocketTimeoutException.class, "after 200 ms",
                        () -> keep(TcpSocket.connect(silentListener(), Duration.ofMillis(200)))),
                new Row("connect with a wait bound of zero", SocketTimeoutException.class, AT_ONCE,
                        () -> keep(TcpSocket.connect(silentListener(), Duration.ZERO))),
                new Row("connect with a wait bound of -1 ms", SocketTimeoutException.class, AT_ONCE,
                        () -> keep(TcpSocket.connect(silentListener(), MINUS_ONE_MS))),
                new Row("connect with a wait bound of Long.MIN_VALUE seconds", SocketTimeoutException.class, AT_ONCE,
                        () -> keep(TcpSocket.connect(silentListener(), MOST_NEGATIVE))),
                new Row("read with a 50 ms timeout and no data", SocketTimeoutException.class, "after 50 ms", () -> {
                    TcpSocket socket = pair()[0];
                    socket.setTimeout(Duration.ofMillis(50));
                    socket.read(ByteBuffer.allocate(1));
                }),
                new Row("read with a zero timeout and no data", SocketTimeoutException.class, AT_ONCE, () -> {
                    TcpSocket socket = pair()[0];
                    socket.setTimeout(Duration.ZERO);
                    socket.read(ByteBuffer.allocate(1));
                }),
                Row.of("read with a zero timeout and data there: tried once, it succeeds", null, () -> {
                    TcpSocket[] pair = pair();
                    pair[1].write(one, 0, 1);
                    pair[0].setTimeout(Duration.ZERO);
                    pair[0].read(ByteBuffer.allocate(1));
                }),
                Row.of("read with a null timeout waits for data that comes 100 ms later", null, () -> {
                    TcpSocket[] pair = pair();
                    pair[0].setTimeout(Duration.ofMillis(1));
                    pair[0].setTimeout(null);
                    Greenlet<Void> late = Green.spawnLater(Duration.ofMillis(100), () -> {
                        pair[1].write(one, 0, 1);
                        return null;
                    });
                    pair[0].read(ByteBuffer.allocate(1));
                    late.join(ROW_LIMIT);
                }),
                new Row("accept with a zero timeout and nobody connecting", SocketTimeoutException.class, AT_ONCE, () -> {
                    TcpListener listener = keep(TcpListener.bind(ANY_LOCAL_PORT, 8));
                    listener.setTimeout(Duration.ZERO);
                    listener.accept();
                }),
                Row.of("accept after close", SocketException.class, () -> {
                    TcpListener listener = keep(TcpListener.bind(ANY_LOCAL_PORT, 8));
                    listener.close();
                    listener.accept();
                }),
                new Row("UDP receive with a 50 ms timeout and no datagram", SocketTimeoutException.class, "after 50 ms", () -> {
                    UdpSocket socket = keep(UdpSocket.bind(ANY_LOCAL_PORT));
                    socket.setTimeout(Duration.ofMillis(50));
                    socket.receive(ByteBuffer.allocate(16));
                }),
                Row.of("UDP receive after close", SocketException.class, () -> {
                    UdpSocket socket = keep(UdpSocket.bind(ANY_LOCAL_PORT));
                    socket.close();
                    socket.receive(ByteBuffer.allocate(16));
                }),
                Row.of("UDP send after close", SocketException.class, () -> {
                    UdpSocket socket = keep(UdpSocket.bind(ANY_LOCAL_PORT));
                    InetSocketAddress self = socket.localAddress();
                    socket.close();
                    socket.send(ByteBuffer.wrap(one), self);
                }),
                Row.of("TLS read after the peer reset", SocketException.class,
                        () -> tlsResetByPeer().read(ByteBuffer.allocate(16))),
                Row.of("TLS write after the peer reset", SocketException.class, () -> {
                    TlsSocket socket = tlsResetByPeer();
                    untilItFails(() -> socket.write(one, 0, 1));
                }),
                Row.of("TLS handshake with a peer that answers in plain text", SSLException.class, () -> {
                    TcpSocket[] pair = pair();
                    pair[1].write(NetConformanceTest.ascii("HTTP/1.1 400 Bad Request\r\n\r\n"), 0, 28);
                    keep(TlsSocket.client(pair[0], TestKeys.client(), "localhost")).handshake();
                }),
                Row.of("TcpSocket.setTimeout(-1 ms)", IllegalArgumentException.class, () -> pair()[0].setTimeout(MINUS_ONE_MS)),
                Row.of("TcpSocket.setTimeout(Long.MIN_VALUE seconds)", IllegalArgumentException.class,
                        () -> pair()[0].setTimeout(MOST_NEGATIVE)),
                Row.of("TlsSocket.setTimeout(-1 ms)", IllegalArgumentException.class,
                        () -> keep(TlsSocket.client(pair()[0], TestKeys.client(), "localhost")).setTimeout(MINUS_ONE_MS)),
                Row.of("UdpSocket.setTimeout(-1 ms)", IllegalArgumentException.class,
                        () -> keep(UdpSocket.bind(ANY_LOCAL_PORT)).setTimeout(MINUS_ONE_MS)),
                Row.of("TcpListener.setTimeout(-1 ms)", IllegalArgumentException.class,
                        () -> keep(TcpListener.bind(ANY_LOCAL_PORT, 8)).setTimeout(MINUS_ONE_MS)),
                Row.of("a negative SO_RCVBUF", IllegalArgumentException.class,
                        () -> pair()[0].setOption(StandardSocketOptions.SO_RCVBUF, -1)),
                Row.of("StreamServer.Options with a negative idle timeout", IllegalArgumentException.class,
                        () -> StreamServer.Options.defaults().withIdleTimeout(MINUS_ONE_MS)));
    }

    @Test
    void everyFaultRaisesTheExceptionOfItsRowOnThisTransport() {
        List<String> wrong = new ArrayList<>();
        for (Row row : table()) {
            Throwable seen = outcome(row);
            closeOpened();
            String problem = mismatch(row, seen);
            if (problem != null) {
                wrong.add(row.fault() + ": " + problem);
            }
        }
        loops.takeErrors();  // greenlets of rows that failed on purpose (a TLS peer's handshake, say)
        assertTrue(wrong.isEmpty(), "on the " + loops.loop().transport() + " transport, " + wrong.size()
                + " rows differ from the table:\n  " + String.join("\n  ", wrong));
    }

    private static Throwable outcome(Row row) {
        try (Timeout ignored = Timeout.start(ROW_LIMIT)) {
            row.attempt().run();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    /** What is wrong with {@code seen} for {@code row}, or {@code null} when it is what the table says. */
    private static String mismatch(Row row, Throwable seen) {
        if (row.expected() == null) {
            return seen == null ? null : "expected no exception, got " + seen;
        }
        if (seen == null) {
            return "expected " + row.expected().getName() + ", but it returned normally";
        }
        if (seen.getClass() != row.expected()) {
            return "expected " + row.expected().getName() + ", got " + seen;
        }
        if (row.messageHas() != null && (seen.getMessage() == null || !seen.getMessage().contains(row.messageHas()))) {
            return "expected a message with \"" + row.messageHas() + "\", got " + seen;
        }
        return null;
    }

    @AfterEach
    void closeOpened() {
        for (AutoCloseable closeable : opened.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing what a row left behind; the row's outcome is what counts
            }
        }
        opened.clear();
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** A connection on this loop: the client end, then the accepted end. */
    private TcpSocket[] pair() throws IOException {
        TcpListener listener = keep(TcpListener.bind(ANY_LOCAL_PORT, 8));
        TcpSocket client = keep(TcpSocket.connect(listener.localAddress(), CONNECT_TIMEOUT));
        TcpSocket accepted = keep(listener.accept());
        client.setTimeout(ROW_LIMIT);
        return new TcpSocket[] {client, accepted};
    }

    /** A client whose peer has closed with {@code SO_LINGER} 0: a reset. */
    private TcpSocket resetByPeer() throws IOException {
        TcpSocket[] pair = pair();
        pair[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        pair[1].close();
        return pair[0];
    }

    /** A TLS client, handshaken, whose peer then reset the TCP connection under its TLS. */
    private TlsSocket tlsResetByPeer() throws Exception {
        TcpSocket[] pair = pair();
        TlsSocket server = keep(TlsSocket.server(pair[1], TestKeys.server()));
        Greenlet<Void> serverHandshake = Green.spawn(() -> server.handshake());
        TlsSocket client = keep(TlsSocket.client(pair[0], TestKeys.client(), "localhost"));
        client.handshake();
        serverHandshake.get();
        pair[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        pair[1].close();
        return client;
    }

    /** Writes until the write fails; a write that never does returns after 1,000 tries, which the table reports. */
    private static void untilItFails(Attempt write) throws Exception {
        for (int i = 0; i < 1000; i++) {
            write.run();
            Green.sleep(Duration.ofMillis(1));  // lets the peer's reset arrive
        }
    }

    /** Throws what a greenlet failed with, if anything. */
    private static void rethrow(Throwable failure) throws Exception {
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private void sendFile(TcpSocket socket) throws IOException {
        if (file == null) {
            file = Files.write(Files.createTempFile("greenloop-fault-table", ".bin"), new byte[4096]);
        }
        try (FileChannel channel = FileChannel.open(file)) {
            socket.transferFrom(channel, 0, 4096);
        }
    }

    @AfterEach
    void deleteFile() throws IOException {
        if (file != null) {
            Files.delete(file);
        }
    }

    private static InetSocketAddress closedPort() throws IOException {
        TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 1);
        InetSocketAddress address = listener.localAddress();
        listener.close();
        Green.sleep();  // NIO releases a registered channel's port at its next poll
        return address;
    }

    /**
     * A listener that never accepts, with the smallest backlog, its queue filled: the kernel drops further SYNs,
     * so a connect gets no answer. Kept for the whole table; the first connect that times out proves it silent.
     */
    private InetSocketAddress silentListener() throws IOException {
        if (silentListener != null) {
            return silentListener;
        }
        TcpListener listener = TcpListener.bind(ANY_LOCAL_PORT, 1);
        silentParts.add(listener);
        try {
            for (int i = 0; i < 32; i++) {
                silentParts.add(TcpSocket.connect(listener.localAddress(), Duration.ofMillis(200)));
            }
            throw new IllegalStateException("32 connects to a listener that never accepts all succeeded");
        } catch (SocketTimeoutException silentNow) {
            silentListener = listener.localAddress();
            return silentListener;
        }
    }

    @AfterEach
    void closeSilentListener() throws Exception {
        for (AutoCloseable part : silentParts) {
            part.close();
        }
    }
}
