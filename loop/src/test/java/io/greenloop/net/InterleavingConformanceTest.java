package io.greenloop.net;

import io.greenloop.LoopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The interleaving matrix of the transport conformance suite: every shape of write crossed with every shape of
 * read, on two connections of one loop. A transport copies heap buffers through direct buffers it shares between
 * all the connections of its loop, and no state one operation leaves there may reach the next one on any
 * connection. In each cell the loop writes a small payload with the write shape on one connection, reads a large
 * one with the read shape on the other, then writes a large payload and reads a small one, so that an operation
 * that shrank a shared buffer is followed by one that needs more of it. The peers are the JDK's blocking sockets
 * on platform threads, so the loop's transport sees only the two shapes under test. Every transport module runs
 * this from loop's test-jar, like {@link NetConformanceTest}.
 */
public class InterleavingConformanceTest {

    private static final Duration LIMIT = NetConformanceTest.LIMIT;
    private static final int SMALL = 5;
    /** Larger than any small payload, and still one UDP datagram. */
    private static final int LARGE = 40_000;
    private static final String LOCALHOST = "127.0.0.1";

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    /** What a connection under test is, and what its JDK peer is. */
    enum Wire { TCP, TLS, UDP }

    /** How the loop writes a payload: the shapes that reach a transport's write paths differently. */
    enum WriteShape {
        BYTE_ARRAY(Wire.TCP, (connection, data) -> connection.tcp.write(data, 0, data.length)),
        HEAP_BUFFER(Wire.TCP, (connection, data) -> connection.tcp.write(ByteBuffer.wrap(data))),
        DIRECT_BUFFER(Wire.TCP, (connection, data) -> connection.tcp.write(direct(data))),
        /** Direct, heap, direct, heap: a run of direct buffers first, then a run that starts with a heap one. */
        GATHERING_HEAP_AND_DIRECT(Wire.TCP, (connection, data) -> {
            int quarter = data.length / 4;
            connection.tcp.write(direct(Arrays.copyOfRange(data, 0, quarter)),
                    ByteBuffer.wrap(data, quarter, quarter),
                    direct(Arrays.copyOfRange(data, 2 * quarter, 3 * quarter)),
                    ByteBuffer.wrap(data, 3 * quarter, data.length - 3 * quarter));
        }),
        TRANSFER_FROM_FILE(Wire.TCP, (connection, data) -> {
            Path path = Files.createTempFile("greenloop-interleaving", ".bin");
            try (FileChannel file = FileChannel.open(Files.write(path, data))) {
                assertEquals(data.length, connection.tcp.transferFrom(file, 0, data.length));
            } finally {
                Files.delete(path);
            }
        }),
        UDP_SEND_HEAP(Wire.UDP, (connection, data) -> connection.udp.send(ByteBuffer.wrap(data), connection.peerAddress())),
        UDP_SEND_DIRECT(Wire.UDP, (connection, data) -> connection.udp.send(direct(data), connection.peerAddress()));

        /** Writes all of {@code data} on the loop's end of {@code connection}. */
        interface Writer {
            void write(Connection connection, byte[] data) throws IOException;
        }

        final Wire wire;
        private final Writer writer;

        WriteShape(Wire wire, Writer writer) {
            this.wire = wire;
            this.writer = writer;
        }

        void write(Connection connection, byte[] data) throws IOException {
            writer.write(connection, data);
        }
    }

    /** How the loop reads a payload of a known length. */
    enum ReadShape {
        TCP_BYTE_ARRAY(Wire.TCP, (connection, length) -> NetConformanceTest.readFully(connection.tcp, length)),
        TCP_HEAP_BUFFER(Wire.TCP, (connection, length) -> readFully(connection.tcp::read, ByteBuffer.allocate(length))),
        TCP_DIRECT_BUFFER(Wire.TCP, (connection, length) -> readFully(connection.tcp::read, ByteBuffer.allocateDirect(length))),
        TLS_BYTE_ARRAY(Wire.TLS, (connection, length) -> TlsConformanceTest.readFully(connection.tls, length)),
        TLS_DIRECT_BUFFER(Wire.TLS, (connection, length) -> readFully(connection.tls::read, ByteBuffer.allocateDirect(length))),
        UDP_HEAP_BUFFER(Wire.UDP, (connection, length) -> receive(connection, ByteBuffer.allocate(64 * 1024))),
        UDP_DIRECT_BUFFER(Wire.UDP, (connection, length) -> receive(connection, ByteBuffer.allocateDirect(64 * 1024)));

        /** Reads {@code length} bytes (UDP: one datagram) on the loop's end of {@code connection}. */
        interface Reader {
            byte[] read(Connection connection, int length) throws IOException;
        }

        final Wire wire;
        private final Reader reader;

        ReadShape(Wire wire, Reader reader) {
            this.wire = wire;
            this.reader = reader;
        }

        byte[] read(Connection connection, int length) throws IOException {
            return reader.read(connection, length);
        }

        private static byte[] receive(Connection connection, ByteBuffer buffer) throws IOException {
            assertEquals(connection.peerAddress(), connection.udp.receive(buffer), "the datagram's sender");
            return bytes(buffer.flip());
        }
    }

    static Stream<Arguments> everyPair() {
        return Arrays.stream(WriteShape.values())
                .flatMap(write -> Arrays.stream(ReadShape.values()).map(read -> Arguments.of(write, read)));
    }

    @ParameterizedTest(name = "{0} interleaved with {1}")
    @MethodSource("everyPair")
    void aWriteAndAReadOnTwoConnectionsOfOneLoopLeaveEachOtherIntact(WriteShape write, ReadShape read) throws Exception {
        byte[] smallWritten = TlsConformanceTest.pattern(SMALL, 1);
        byte[] largeWritten = TlsConformanceTest.pattern(LARGE, 2);
        byte[] largeRead = TlsConformanceTest.pattern(LARGE, 3);
        byte[] smallRead = TlsConformanceTest.pattern(SMALL, 4);
        try (Connection writing = Connection.open(write.wire); Connection reading = Connection.open(read.wire)) {
            CompletableFuture<byte[]> received = writing.peerReceives(SMALL, LARGE);
            CompletableFuture<Void> sent = reading.peerSends(largeRead, smallRead);
            write.write(writing, smallWritten);
            assertArrayEquals(largeRead, read.read(reading, LARGE), "the large read after a small write");
            write.write(writing, largeWritten);
            assertArrayEquals(smallRead, read.read(reading, SMALL), "the small read after a large write");
            assertArrayEquals(concat(smallWritten, largeWritten), TlsConformanceTest.awaitDrivingTheLoop(received), "what the peer received");
            TlsConformanceTest.awaitDrivingTheLoop(sent);
        }
    }

    /**
     * README.md's file server, on one loop (each loop of its group runs the same): it reads a request into a
     * byte array, answers with a gathering write of two heap buffers and a {@code transferFrom}, and reads the
     * next request of the keep-alive connection. The client uses direct buffers, so what fails is the server.
     */
    @Test
    void theReadmeFileServerAnswersEveryRequestOfAKeepAliveConnection() throws Exception {
        byte[] content = TlsConformanceTest.pattern(10_000, 5);
        Path path = Files.write(Files.createTempFile("greenloop-file-server", ".bin"), content);
        try (FileChannel file = FileChannel.open(path)) {
            StreamServer server = new StreamServer(NetConformanceTest.ANY_LOCAL_PORT, (socket, peer) -> serveLikeTheReadme(socket, file));
            server.start();
            try (TcpSocket client = TcpSocket.connect(server.address(), NetConformanceTest.CONNECT_TIMEOUT)) {
                client.setTimeout(LIMIT);
                byte[] head = "200 OK\nlength 10000\n\n".getBytes(StandardCharsets.US_ASCII);
                byte[] request = "GET /file HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII);
                for (int round = 1; round <= 3; round++) {
                    client.write(direct(request));
                    assertArrayEquals(head, readFully(client::read, ByteBuffer.allocateDirect(head.length)), "head " + round);
                    assertArrayEquals(content, readFully(client::read, ByteBuffer.allocateDirect(content.length)), "body " + round);
                }
            }
            server.stop(Duration.ofSeconds(5));
        } finally {
            Files.delete(path);
        }
    }

    /** {@code FileServer.serve} as README.md prints it, less its {@code println}. */
    private static void serveLikeTheReadme(TcpSocket socket, FileChannel file) throws IOException {
        byte[] request = new byte[1024];
        while (socket.read(request, 0, request.length) > 0) {
            long size = file.size();
            ByteBuffer status = StandardCharsets.US_ASCII.encode("200 OK\n");
            ByteBuffer length = StandardCharsets.US_ASCII.encode("length " + size + "\n\n");
            socket.write(status, length);
            socket.transferFrom(file, 0, size);
        }
    }

    /** What {@link #readFully(BufferSource, ByteBuffer)} reads from: a socket's {@code read(ByteBuffer)}. */
    @FunctionalInterface
    interface BufferSource {
        int read(ByteBuffer dst) throws IOException;
    }

    /** Fills {@code buffer} from {@code source} and returns its bytes; an end of stream before that is an {@link IOException}. */
    static byte[] readFully(BufferSource source, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (source.read(buffer) < 0) {
                throw new IOException("end of stream after " + buffer.position() + " of " + buffer.limit() + " bytes");
            }
        }
        return bytes(buffer.flip());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static ByteBuffer direct(byte[] data) {
        return ByteBuffer.allocateDirect(data.length).put(data).flip();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** Runs {@code body} on a platform thread of its own: the JDK's blocking peer. */
    private static <T> CompletableFuture<T> onPeerThread(Callable<T> body) {
        return TlsConformanceTest.onPlatformThread("interleaving-peer", body);
    }

    /**
     * One connection under test: the loop's end (a {@link TcpSocket}, a {@link TlsSocket} over one, or a
     * {@link UdpSocket}) and the JDK's blocking end. Opened and closed on the test thread, which owns the loop.
     */
    static final class Connection implements AutoCloseable {
        private final Wire wire;
        TcpSocket tcp;
        TlsSocket tls;
        UdpSocket udp;
        private ServerSocket listener;
        private Socket peer;
        private DatagramSocket peerUdp;

        private Connection(Wire wire) {
            this.wire = wire;
        }

        static Connection open(Wire wire) throws Exception {
            Connection connection = new Connection(wire);
            try {
                switch (wire) {
                    case TCP -> connection.openTcp();
                    case TLS -> connection.openTls();
                    case UDP -> connection.openUdp();
                }
            } catch (Exception | Error e) {
                connection.close();
                throw e;
            }
            return connection;
        }

        private void openTcp() throws IOException {
            listener = new ServerSocket(0, 1, InetAddress.getByName(LOCALHOST));
            tcp = TcpSocket.connect((InetSocketAddress) listener.getLocalSocketAddress(), NetConformanceTest.CONNECT_TIMEOUT);
            peer = listener.accept();  // queued already: accept returns at once
            tcp.setTimeout(LIMIT);
        }

        private void openTls() throws Exception {
            SSLServerSocket tlsListener = (SSLServerSocket) TestKeys.server().getServerSocketFactory()
                    .createServerSocket(0, 1, InetAddress.getByName(LOCALHOST));
            listener = tlsListener;
            CompletableFuture<Socket> handshaken = onPeerThread(() -> {
                SSLSocket accepted = (SSLSocket) tlsListener.accept();
                accepted.startHandshake();
                return accepted;
            });
            tcp = TcpSocket.connect((InetSocketAddress) listener.getLocalSocketAddress(), NetConformanceTest.CONNECT_TIMEOUT);
            tls = TlsSocket.client(tcp, TestKeys.client(), "localhost");
            tls.setTimeout(LIMIT);
            tls.handshake();
            peer = TlsConformanceTest.awaitDrivingTheLoop(handshaken);
        }

        private void openUdp() throws IOException {
            udp = UdpSocket.bind(NetConformanceTest.ANY_LOCAL_PORT);
            udp.setTimeout(LIMIT);
            peerUdp = new DatagramSocket(new InetSocketAddress(LOCALHOST, 0));
            peerUdp.setSoTimeout((int) LIMIT.toMillis());
        }

        InetSocketAddress peerAddress() {
            return (InetSocketAddress) peerUdp.getLocalSocketAddress();
        }

        /** The peer receives payloads of these lengths (UDP: one datagram each) and returns them, joined. */
        CompletableFuture<byte[]> peerReceives(int... lengths) throws IOException {
            int total = Arrays.stream(lengths).sum();
            if (wire == Wire.UDP) {
                return onPeerThread(() -> {
                    byte[] all = new byte[total];
                    int done = 0;
                    for (int length : lengths) {
                        DatagramPacket packet = new DatagramPacket(new byte[64 * 1024], 64 * 1024);
                        peerUdp.receive(packet);
                        assertEquals(length, packet.getLength(), "a datagram's length");
                        System.arraycopy(packet.getData(), 0, all, done, length);
                        done += length;
                    }
                    return all;
                });
            }
            InputStream in = peer.getInputStream();
            return onPeerThread(() -> in.readNBytes(total));
        }

        /** The peer sends each payload (UDP: as one datagram); its end stays open until {@link #close()}. */
        CompletableFuture<Void> peerSends(byte[]... payloads) throws IOException {
            if (wire == Wire.UDP) {
                InetSocketAddress target = udp.localAddress();
                return onPeerThread(() -> {
                    for (byte[] payload : payloads) {
                        peerUdp.send(new DatagramPacket(payload, payload.length, target));
                    }
                    return null;
                });
            }
            OutputStream out = peer.getOutputStream();
            return onPeerThread(() -> {
                for (byte[] payload : payloads) {
                    out.write(payload);
                }
                out.flush();
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            if (tls != null) {
                tls.close();
            }
            if (tcp != null) {
                tcp.close();
            }
            if (udp != null) {
                udp.close();
            }
            for (AutoCloseable closeable : new AutoCloseable[] {peer, listener, peerUdp}) {
                try {
                    if (closeable != null) {
                        closeable.close();
                    }
                } catch (Exception e) {
                    // the peer's end: the loop's end is what the test checks
                }
            }
        }
    }
}
