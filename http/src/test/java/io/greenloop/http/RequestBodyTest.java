package io.greenloop.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request bodies: Content-Length and chunked, their limits, and what the server does with what a handler leaves. */
class RequestBodyTest extends ServerCase {

    private HttpHandler echo() {
        return counting((request, response) -> response.send(request.bodyBytes()));
    }

    @Test
    void aChunkedBodyIsDecodedAndItsTrailersDropped() {
        List<String> headerNames = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            byte[] body = request.bodyBytes();
            headerNames.addAll(request.headers().names());
            response.send(body);
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "4\r\nWiki\r\n5;note=x\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n");
                assertEquals("Wikipedia in\r\n\r\nchunks.", client.read().text());
            }
        });
        assertEquals(List.of("host", "transfer-encoding"), headerNames);
    }

    @Test
    void aLargeBodyIsReadWhole() {
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(large);
        HttpServer server = serve(echo());
        byte[] echoed = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send(("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: " + large.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                client.send(large);
                return client.read().body();
            }
        });
        assertArrayEquals(large, echoed);
    }

    @Test
    void aLargeChunkedBodyIsReadWhole() {
        byte[] large = new byte[2 * 1024 * 1024 + 5];
        new Random(8).nextBytes(large);
        HttpServer server = serve(echo());
        byte[] echoed = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
                for (int off = 0; off < large.length; off += 100_000) {
                    int n = Math.min(100_000, large.length - off);
                    client.send((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    client.send(Arrays.copyOfRange(large, off, off + n));
                    client.send("\r\n");
                }
                client.send("0\r\n\r\n");
                return client.read().body();
            }
        });
        assertArrayEquals(large, echoed);
    }

    @Test
    void aRequestLineOverTheLimitIs414() {
        assertRefused(HttpServer.Options.defaults().withMaxRequestLineBytes(100),
                "GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
    }

    @Test
    void aHeadOverTheLimitIs431() {
        assertRefused(HttpServer.Options.defaults().withMaxHeadBytes(1000),
                "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(1000) + "\r\n\r\n", 431);
    }

    @Test
    void aHeadThatNeverEndsIs431WithoutBufferingMoreThanTheLimit() {
        assertRefused(HttpServer.Options.defaults().withMaxHeadBytes(2000),
                "GET / HTTP/1.1\r\nHost: a\r\n" + "X-Many: y\r\n".repeat(10_000), 431);
    }

    @Test
    void moreFieldsThanTheLimitIs431() {
        assertRefused(HttpServer.Options.defaults().withMaxHeaderFields(5),
                "GET / HTTP/1.1\r\nHost: a\r\n" + "X: 1\r\n".repeat(5) + "\r\n", 431);
    }

    @Test
    void aContentLengthOverTheLimitIs413BeforeTheHandler() {
        assertRefused(HttpServer.Options.defaults().withMaxBodyBytes(100),
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n" + "x".repeat(101), 413);
    }

    @Test
    void aFirstChunkOverTheLimitIs413BeforeTheHandler() {
        assertRefused(HttpServer.Options.defaults().withMaxBodyBytes(100),
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" + "x".repeat(101) + "\r\n0\r\n\r\n", 413);
    }

    @Test
    void aChunkExtensionBeyondTheHeadLimitIs431() {
        assertRefused(HttpServer.Options.defaults().withMaxHeadBytes(200),
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=" + "e".repeat(300) + "\r\nx\r\n0\r\n\r\n", 431);
    }

    private void assertRefused(HttpServer.Options options, String request, int status) {
        HttpServer server = serve(echo(), options);
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send(request).read();
                assertEquals(status, response.status());
                assertEquals("close", response.header("connection"));
                assertTrue(client.closedByServer());
            }
        });
        assertEquals(0, handlerCalls);
        assertEquals(1, server.stats().rejected());
        assertEquals(1, server.stats().responses4xx());
    }

    @Test
    void aChunkedBodyThatGrowsPastTheLimitFailsTheHandlersReadAnd413IsAnswered() {
        List<IOException> seen = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            try {
                request.bodyBytes();
            } catch (IOException e) {
                seen.add(e);
                throw e;
            }
        }), HttpServer.Options.defaults().withMaxBodyBytes(10));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n").read();
                assertEquals(413, response.status());
                assertTrue(client.closedByServer());
            }
        });
        assertEquals(1, seen.size());
        assertTrue(seen.getFirst().getMessage().contains("longer than 10 bytes"), seen.getFirst().getMessage());
    }

    @Test
    void aBodyTooLargeToSkipClosesTheConnectionAndSaysSo() {
        HttpServer server = serve(counting((request, response) -> response.send("not reading it")));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n");
                RawClient.Response response = client.read();
                assertEquals("close", response.header("connection"));
                assertTrue(client.closedByServer());
            }
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + "z".repeat(1000)).read();
                assertNull(response.header("connection"), "a small unread body is skipped, the connection kept");
                assertEquals(200, client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            }
        });
    }

    @Test
    void availableSaysWhatIsBufferedAndReadsStopAtTheBodysEnd() {
        List<Integer> available = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            InputStream body = request.body();
            available.add(body.available());
            byte[] all = body.readAllBytes();
            available.add(body.available());
            available.add(body.read());
            response.send(all);
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbodyGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("body", client.read().text());
                assertEquals("", client.read().text());
            }
        });
        assertEquals(List.of(4, 0, -1, 0, 0, -1), available);
    }
}
