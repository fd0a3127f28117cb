package io.greenloop.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Responses: framing, HEAD, bodiless statuses, header checks, streaming, files, upgrades. */
class HttpResponseTest extends ServerCase {

    @TempDir
    Path dir;

    @Test
    void headGetsTheHeadOfGetWithoutTheBody() throws IOException {
        Path file = Files.writeString(dir.resolve("f.txt"), "file body");
        HttpServer server = serve(counting((request, response) -> {
            switch (request.path()) {
                case "/bytes" -> response.send("twelve bytes");
                case "/stream" -> {
                    try (OutputStream body = response.body()) {
                        body.write("streamed".getBytes(StandardCharsets.US_ASCII));
                    }
                }
                case "/file" -> response.sendFile(file);
                default -> response.status(404).send("no");
            }
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                assertEquals("12", client.send("HEAD /bytes HTTP/1.1\r\nHost: a\r\n\r\n").readHead().header("content-length"));
                assertEquals("chunked", client.send("HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n").readHead().header("transfer-encoding"));
                assertEquals("9", client.send("HEAD /file HTTP/1.1\r\nHost: a\r\n\r\n").readHead().header("content-length"));
                // Had any body bytes been sent, this response would not parse from its first byte.
                assertEquals("file body", client.send("GET /file HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            }
        });
    }

    @Test
    void noContentAndNotModifiedNeverCarryABody() {
        HttpServer server = serve(counting((request, response) -> {
            if (request.path().equals("/204")) {
                response.status(204).send(new byte[0]);
            } else if (request.path().equals("/304")) {
                response.status(304).header("Content-Length", "1234").header("ETag", "\"v1\"");
            } else {
                response.status(204);
            }
        }));
        String wire = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\n\r\nGET /returns HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
                return new String(client.readToEnd(), StandardCharsets.ISO_8859_1);
            }
        });
        String[] responses = wire.split("(?=HTTP/1\\.1 )");
        assertEquals(3, responses.length, wire);
        assertTrue(responses[0].startsWith("HTTP/1.1 204 No Content\r\n") && responses[0].endsWith("\r\n\r\n"), responses[0]);
        assertFalse(responses[0].contains("Content-Length"), responses[0]);
        assertTrue(responses[1].startsWith("HTTP/1.1 304 Not Modified\r\n") && responses[1].contains("Content-Length: 1234\r\n")
                && responses[1].endsWith("\r\n\r\n"), responses[1]);
        assertTrue(responses[2].startsWith("HTTP/1.1 204 No Content\r\n") && !responses[2].contains("Content-Length"), responses[2]);
    }

    @Test
    void headersThatCouldSplitTheResponseAreRefused() {
        List<String> refused = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            String[][] bad = {{"X-A", "v\r\nSet-Cookie: evil=1"}, {"X-B", "v\nw"}, {"X-C", "v\0w"}, {"X\r\nY", "v"},
                    {"X-D", "v\u0001"}, {"Bad Name", "v"}, {"", "v"}, {"X-E", "\u20ac"}, {"Transfer-Encoding", "chunked"},
                    {"Connection", "upgrade"}, {"Content-Length", "-1"}};
            for (String[] field : bad) {
                try {
                    response.header(field[0], field[1]);
                } catch (IllegalArgumentException e) {
                    refused.add(field[0]);
                }
            }
            response.header("X-Fine", "tab\tand latin-1 \u00e9").header("Date", "Sun, 06 Nov 1994 08:49:37 GMT").send("ok");
        }));
        RawClient.Response response = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                return client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
        });
        assertEquals(11, refused.size(), refused.toString());
        assertNull(response.header("set-cookie"));
        assertEquals("tab\tand latin-1 \u00e9", new String(response.header("x-fine").getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1));
        assertEquals(List.of("Sun, 06 Nov 1994 08:49:37 GMT"), response.headers().get("date"));
    }

    @Test
    void aStreamedBodyIsChunkedWithSmallAndLargeWrites() {
        byte[] large = new byte[100_000];
        new Random(3).nextBytes(large);
        HttpServer server = serve(counting((request, response) -> {
            try (OutputStream body = response.body()) {
                for (int i = 0; i < 1000; i++) {
                    body.write('a' + i % 26);
                }
                body.write(large);
                body.write("tail".getBytes(StandardCharsets.US_ASCII));
            }
        }));
        RawClient.Response response = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                return client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
        });
        assertEquals("chunked", response.header("transfer-encoding"));
        byte[] body = response.body();
        assertEquals(1000 + large.length + 4, body.length);
        for (int i = 0; i < 1000; i++) {
            assertEquals('a' + i % 26, body[i]);
        }
        assertArrayEquals(large, java.util.Arrays.copyOfRange(body, 1000, 1000 + large.length));
        assertEquals("tail", new String(body, 1000 + large.length, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void aStreamWithContentLengthMustWriteExactlyThat() {
        List<String> failures = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            response.header("Content-Length", "5");
            OutputStream body = response.body();
            body.write("12345".getBytes(StandardCharsets.US_ASCII));
            try {
                body.write('6');
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
            if (request.path().equals("/short")) {
                return;
            }
            body.close();
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("GET /exact HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals("12345", response.text());
                assertNull(response.header("transfer-encoding"));
            }
        });
        assertEquals(1, failures.size());
        assertTrue(failures.getFirst().contains("Content-Length of 5"), failures.getFirst());
    }

    @Test
    void aStreamClosedShortOfItsContentLengthClosesTheConnection() {
        HttpServer server = serve(counting((request, response) -> {
            response.header("Content-Length", "10");
            response.body().write("only5".getBytes(StandardCharsets.US_ASCII));
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertTrue(response.bodyCut());
            }
        });
    }

    @Test
    void aFileIsSentWhole() throws IOException {
        byte[] content = new byte[5 * 1024 * 1024 + 3];
        new Random(11).nextBytes(content);
        Path file = Files.write(dir.resolve("big.bin"), content);
        HttpServer server = serve(counting((request, response) -> response.header("Content-Type", "application/octet-stream").sendFile(file)));
        RawClient.Response response = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                return client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
        });
        assertEquals(String.valueOf(content.length), response.header("content-length"));
        assertArrayEquals(content, response.body());
    }

    @Test
    void anUpgradeHandsOverTheRawConnectionWithTheBytesReadAlready() {
        HttpServer server = serve(counting((request, response) -> {
            HttpUpgrade raw = response.upgrade("echo");
            InputStream in = raw.input();
            OutputStream out = raw.output();
            byte[] buffer = new byte[64];
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().endsWith("bye")) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                seen.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
                out.write(buffer, 0, n);
            }
            raw.close();
        }));
        String wire = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly ");
                RawClient.Response switched = client.read();
                assertEquals(101, switched.status());
                assertEquals("echo", switched.header("upgrade"));
                assertEquals("Upgrade", switched.header("connection"));
                client.send("and late, bye");
                return new String(client.readToEnd(), StandardCharsets.US_ASCII);
            }
        });
        assertEquals("early and late, bye", wire);
    }

    @Test
    void misuseIsRefusedWithAClearException() {
        AtomicReference<HttpRequest> kept = new AtomicReference<>();
        List<String> messages = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            kept.set(request);
            for (Runnable misuse : List.<Runnable>of(() -> response.status(101), () -> response.status(99))) {
                try {
                    misuse.run();
                } catch (IllegalArgumentException e) {
                    messages.add(e.getMessage());
                }
            }
            try {
                response.upgrade("websocket");
            } catch (IllegalStateException e) {
                messages.add(e.getMessage());
            }
            response.send("first");
            try {
                response.send("second");
            } catch (IllegalStateException e) {
                messages.add(e.getMessage());
            }
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                assertEquals("first", client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            }
        });
        assertEquals(4, messages.size(), messages.toString());
        assertTrue(messages.get(2).contains("did not ask to upgrade"), messages.get(2));
        assertTrue(messages.get(3).contains("after the response was committed"), messages.get(3));
        try {
            kept.get().path();
            throw new AssertionError("a request used after its handler returned must refuse");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().contains("exchange is over"), expected.getMessage());
        }
    }
}
