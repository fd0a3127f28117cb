package io.greenloop.bench;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every HTTP peer of {@link HttpBenchmark} as the benchmark runs it: in a process of its own (a child JVM; the C floor
 * compiled by bench/peers.sh), answering one request, a pipelined pair and a second request on a kept-alive
 * connection with a 200 and the hello, so that a broken peer fails the build rather than a benchmark run.
 */
class HttpPeersTest {

    /** Long enough for the test, short enough that a server outliving a killed test run goes away soon. */
    private static final long LIFETIME_SECONDS = 120;
    /** The JVM peers start with two loops: the per-core rows' path, which takes the loop count through. */
    private static final int LOOPS = 2;

    private static Path floor;

    @BeforeAll
    static void compileFloor() throws IOException, InterruptedException {
        floor = CompiledFloor.path();
    }

    @TestFactory
    Stream<DynamicTest> everyPeerAnswersARequestAPipelinedPairAndAKeptAliveRequest() {
        return HttpPeers.ALL.stream().map(peer -> DynamicTest.dynamicTest(peer.name(), () -> {
            String skipped = peer.skipReason(floor);
            assumeTrue(skipped == null, skipped);
            try (ServerProcess server = peer.start(peer.isFloor() ? 1 : LOOPS, null, LIFETIME_SECONDS, floor)) {
                byte[] one = HttpProbe.responses(server.port(), 1).getFirst();
                assertHello(peer.name(), one);
                List<byte[]> pair = HttpProbe.responses(server.port(), 2);
                assertEquals(2, pair.size());
                pair.forEach(answer -> assertHello(peer.name(), answer));
                assertEquals(one.length, pair.get(1).length, peer.name() + ": answers of different sizes");
                assertKeptAlive(server.port(), peer.name());
            }
        }));
    }

    /** Two requests one after the other on one connection, the second sent only after the first was answered. */
    private static void assertKeptAlive(int port, String name) throws IOException {
        try (Socket socket = HttpProbe.connect(port)) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 2; i++) {
                socket.getOutputStream().write(RequestFraming.REQUEST);
                assertHello(name, HttpProbe.readResponse(in));
            }
        }
    }

    private static void assertHello(String name, byte[] answer) {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 200 "), name + " answered: " + text);
        assertEquals(200, HttpProbe.status(answer), text);
        assertArrayEquals(HttpHello.BODY, HttpProbe.body(answer).getBytes(StandardCharsets.ISO_8859_1), name + " answered: " + text);
    }
}
