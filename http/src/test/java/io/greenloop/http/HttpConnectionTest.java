package io.greenloop.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection engine over raw sockets: keep-alive, pipelining, bytes one at a time, HTTP/1.0, failures, 100-continue. */
class HttpConnectionTest extends ServerCase {

    @Test
    void keepAliveServesRequestsInTurnOnOneConnection() {
        HttpServer server = serve(hello());
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                for (int i = 0; i < 3; i++) {
                    RawClient.Response response = client.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").read();
                    assertEquals(200, response.status());
                    assertEquals("hello", response.text());
                    assertEquals("5", response.header("content-length"));
                    assertEquals("text/plain; charset=UTF-8", response.header("content-type"));
                    assertTrue(response.header("date").matches("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT"),
                            response.header("date"));
                    assertNull(response.header("connection"));
                }
            }
        });
        assertEquals(3, handlerCalls);
        assertEquals(1, server.stats().connectionsAccepted());
    }

    @Test
    void sixteenPipelinedRequestsAreAnsweredInOrderInAtMostTwoWrites() {
        HttpServer server = serve(counting((request, response) -> response.send("answer to " + request.path())));
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            requests.append("GET /").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
        }
        long writesBefore = server.parts().getFirst().writes();
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send(requests.toString());
                for (int i = 0; i < 16; i++) {
                    assertEquals("answer to /" + i, client.read().text());
                }
            }
        });
        long writes = server.parts().getFirst().writes() - writesBefore;
        assertTrue(writes >= 1 && writes <= 2, "16 pipelined responses took " + writes + " writes");
        assertEquals(16, handlerCalls);
    }

    /** What a handler saw of a request, to compare a request sent in one piece with the same bytes sent one at a time. */
    private record Seen(String method, String target, String version, List<String> headers, String body) { }

    private HttpHandler recording(List<Seen> seen) {
        return counting((request, response) -> {
            List<String> headers = new ArrayList<>();
            for (String name : request.headers().names()) {
                headers.add(name + "=" + request.headers().all(name));
            }
            String body = new String(request.bodyBytes(), StandardCharsets.ISO_8859_1);
            seen.add(new Seen(request.method(), request.target(), request.version(), headers, body));
            response.send("ok " + seen.size());
        });
    }

    private static final String TWO_REQUESTS = "\r\nPOST /upload?x=1&y HTTP/1.1\r\nHost: example.com\r\n"
            + "Transfer-Encoding: chunked\r\nX-Many: a, b\r\nX-Many:  c \r\nAccept: */*\r\n\r\n"
            + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer-Field: x\r\n\r\n"
            + "GET /second HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc";

    @Test
    void aRequestSentOneByteAtATimeIsParsedExactlyAsOneSentAtOnce() {
        List<Seen> whole = new ArrayList<>();
        HttpServer server = serve(recording(whole));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send(TWO_REQUESTS);
                assertEquals("ok 1", client.read().text());
                assertEquals("ok 2", client.read().text());
            }
        });
        List<Seen> trickled = new ArrayList<>();
        HttpServer second = serve(recording(trickled));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(second.address())) {
                for (byte b : TWO_REQUESTS.getBytes(StandardCharsets.ISO_8859_1)) {
                    client.send(new byte[] {b});
                    Thread.sleep(1);  // TCP_NODELAY and a pause: one byte per segment
                }
                assertEquals("ok 1", client.read().text());
                assertEquals("ok 2", client.read().text());
            }
        });
        assertEquals(new Seen("POST", "/upload?x=1&y", "HTTP/1.1",
                List.of("host=[example.com]", "transfer-encoding=[chunked]", "x-many=[a, b, c]", "accept=[*/*]"),
                "hello, world"), whole.getFirst());
        assertEquals(whole, trickled);
    }

    @Test
    void http10IsKeptAliveOnlyWhenItAsks() {
        HttpServer server = serve(hello());
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("GET / HTTP/1.0\r\n\r\n").read();
                assertEquals("close", response.header("connection"));
                assertTrue(client.closedByServer());
            }
            try (RawClient client = new RawClient(server.address())) {
                for (int i = 0; i < 2; i++) {
                    RawClient.Response response = client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
                    assertEquals("keep-alive", response.header("connection"));
                    assertEquals("hello", response.text());
                }
            }
        });
        assertEquals(3, handlerCalls);
    }

    @Test
    void aStreamedResponseOnHttp10EndsWhenTheConnectionCloses() {
        HttpServer server = serve(counting((request, response) -> {
            try (OutputStream body = response.body()) {
                body.write("streamed ".getBytes(StandardCharsets.US_ASCII));
                body.flush();
                body.write("to the end".getBytes(StandardCharsets.US_ASCII));
            }
        }));
        String wire = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                return new String(client.readToEnd(), StandardCharsets.ISO_8859_1);
            }
        });
        assertTrue(wire.contains("\r\nConnection: close\r\n"), wire);
        assertFalse(wire.contains("Transfer-Encoding"), wire);
        assertFalse(wire.contains("Content-Length"), wire);
        assertTrue(wire.endsWith("\r\n\r\nstreamed to the end"), wire);
    }

    @Test
    void connectionCloseIsHonouredBothWays() {
        HttpServer server = serve(counting((request, response) -> {
            if (request.path().equals("/bye")) {
                response.header("Connection", "close");
            }
            response.send("x");
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
                assertEquals("close", response.header("connection"));
                assertTrue(client.closedByServer());
            }
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("GET /bye HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals("close", response.header("connection"));
                assertTrue(client.closedByServer());
            }
        });
    }

    @Test
    void aHandlerThatThrowsBeforeCommittingGets500AndTheConnectionStaysUsable() {
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = capture(logged);
        HttpServer server = serve(counting((request, response) -> {
            if (request.path().equals("/fail")) {
                response.header("X-Lost", "yes");
                throw new IllegalStateException("the handler's own bug");
            }
            response.send("fine");
        }));
        try {
            OffLoop.run(() -> {
                try (RawClient client = new RawClient(server.address())) {
                    RawClient.Response failed = client.send("GET /fail HTTP/1.1\r\nHost: a\r\n\r\n").read();
                    assertEquals(500, failed.status());
                    assertEquals("Internal Server Error\n", failed.text());
                    assertNull(failed.header("x-lost"));
                    assertNull(failed.header("connection"));
                    assertEquals("fine", client.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                }
            });
        } finally {
            Logger.getLogger("io.greenloop").removeHandler(capture);
        }
        LogRecord error = logged.stream().filter(r -> r.getLevel() == Level.SEVERE).findFirst().orElseThrow();
        assertTrue(error.getMessage().contains(server.name()), error.getMessage());
        assertTrue(error.getMessage().contains("GET /fail HTTP/1.1"), error.getMessage());
        assertTrue(error.getMessage().contains("/127.0.0.1:"), error.getMessage());
        assertEquals("the handler's own bug", error.getThrown().getMessage());
        assertEquals(1, server.stats().responses5xx());
    }

    @Test
    void aHandlerThatThrowsAfterCommittingClosesTheConnection() {
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = capture(logged);
        HttpServer server = serve(counting((request, response) -> {
            OutputStream body = response.body();
            body.write("partial".getBytes(StandardCharsets.US_ASCII));
            body.flush();
            throw new IllegalStateException("failed half way");
        }));
        try {
            OffLoop.run(() -> {
                try (RawClient client = new RawClient(server.address())) {
                    RawClient.Response response = client.send("GET /half HTTP/1.1\r\nHost: a\r\n\r\n").read();
                    assertEquals(200, response.status());
                    assertTrue(response.bodyCut(), "the client must see that the body was cut");
                    assertArrayEquals("partial".getBytes(StandardCharsets.US_ASCII), response.body());
                }
            });
        } finally {
            Logger.getLogger("io.greenloop").removeHandler(capture);
        }
        LogRecord error = logged.stream().filter(r -> r.getLevel() == Level.SEVERE).findFirst().orElseThrow();
        assertTrue(error.getMessage().contains("GET /half HTTP/1.1") && error.getMessage().contains(server.name()), error.getMessage());
    }

    @Test
    void aClientThatGoesAwayIsNoErrorAndTheHandlersNextWriteFails() {
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = capture(logged);
        List<Throwable> handlerSaw = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            OutputStream body = response.body();
            byte[] piece = new byte[64 * 1024];
            try {
                for (int i = 0; i < 10_000; i++) {
                    body.write(piece);
                    body.flush();
                }
            } catch (java.io.IOException e) {
                handlerSaw.add(e);
                throw e;
            }
        }));
        try {
            OffLoop.run(() -> {
                try (RawClient client = new RawClient(server.address())) {
                    client.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
                    client.line();
                }
            });
            awaitNoConnections(server);
        } finally {
            Logger.getLogger("io.greenloop").removeHandler(capture);
        }
        assertEquals(1, handlerSaw.size());
        assertTrue(handlerSaw.getFirst() instanceof java.net.SocketException, handlerSaw.toString());
        assertTrue(logged.stream().noneMatch(r -> r.getLevel().intValue() > Level.FINE.intValue()), "logged above DEBUG: "
                + logged.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void continueIsSentOnceWhenTheHandlerFirstReadsTheBody() {
        HttpServer server = serve(counting((request, response) -> response.send(request.bodyBytes())));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
                assertEquals(100, client.read().status());
                RawClient.Response response = client.send("hello").read();
                assertEquals("hello", response.text());
                assertNull(response.header("connection"));
                assertEquals("x", client.send("POST /again HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx").read().text());
            }
        });
    }

    @Test
    void aHandlerThatAnswersWithoutReadingAnAwaitedBodyClosesTheConnectionWithoutContinue() {
        HttpServer server = serve(counting((request, response) -> response.status(403).send("no")));
        String wire = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("PUT /big HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n");
                return new String(client.readToEnd(), StandardCharsets.ISO_8859_1);
            }
        });
        assertTrue(wire.startsWith("HTTP/1.1 403 Forbidden\r\n"), wire);
        assertTrue(wire.contains("\r\nConnection: close\r\n"), wire);
        assertFalse(wire.contains("100 Continue"), wire);
    }

    @Test
    void anUnreadBodyIsSkippedSoTheNextRequestIsParsedFromItsOwnStart() {
        HttpServer server = serve(counting((request, response) -> response.send(request.path())));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
                client.send("POST /first HTTP/1.1\r\nHost: a\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled
                        + "POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                        + "GET /third HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("/first", client.read().text());
                assertEquals("/chunked", client.read().text());
                assertEquals("/third", client.read().text());
            }
        });
        assertEquals(3, handlerCalls);
    }

    @Test
    void aRequestStoppedMidBodyEndsTheConnectionQuietly() {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<Throwable> handlerSaw = new ArrayList<>();
        HttpServer server = serve(counting((request, response) -> {
            try {
                request.body().transferTo(got);
            } catch (java.net.SocketException e) {
                handlerSaw.add(e);
                throw e;
            }
        }));
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345");
                client.socket.shutdownOutput();
                assertTrue(client.closedByServer());
            }
        });
        assertEquals("12345", got.toString(StandardCharsets.US_ASCII));
        assertEquals(1, handlerSaw.size());
    }

    static Handler capture(List<LogRecord> records) {
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (records) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(Level.ALL);
        Logger logger = Logger.getLogger("io.greenloop");
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
        return handler;
    }
}
