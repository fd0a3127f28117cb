package io.greenloop.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK's {@code HttpClient} against the server, plain and over TLS: keep-alive reuse, chunked bodies both
 * ways, 100-continue, HEAD, and ALPN settling on HTTP/1.1 when the client offers HTTP/2 first.
 */
class HttpClientConformanceTest extends ServerCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Random random = new Random(42);

    /** Echoes the body; streams it back chunked on /stream; answers HEAD and GET on / with "hello". */
    private HttpHandler handler() {
        return counting((request, response) -> {
            switch (request.path()) {
                case "/echo" -> response.send(request.bodyBytes());
                case "/stream" -> {
                    byte[] body = request.bodyBytes();
                    try (OutputStream out = response.body()) {
                        for (int off = 0; off < body.length; off += 1000) {
                            out.write(body, off, Math.min(1000, body.length - off));
                        }
                    }
                }
                case "/refuse" -> response.status(403).send("no");
                default -> response.send("hello");
            }
        });
    }

    private static HttpClient client(boolean tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (tls) {
            builder.sslContext(SelfSignedKeys.client());
        } else {
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        return builder.build();
    }

    private static URI uri(HttpServer server, boolean tls, String path) {
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + server.address().getPort() + path);
    }

    private HttpServer server(boolean tls) {
        return serve(handler(), tls ? HttpServer.Options.defaults().withTls(SelfSignedKeys.server()) : HttpServer.Options.defaults());
    }

    @Test
    void plain() {
        exercise(false);
    }

    @Test
    void https() {
        exercise(true);
    }

    private void exercise(boolean tls) {
        HttpServer server = server(tls);
        byte[] upload = new byte[300_000];
        random.nextBytes(upload);
        OffLoop.run(() -> {
            try (HttpClient client = client(tls)) {
                for (int i = 0; i < 5; i++) {
                    var response = client.send(java.net.http.HttpRequest.newBuilder(uri(server, tls, "/")).timeout(TIMEOUT).build(),
                            BodyHandlers.ofString());
                    assertEquals(200, response.statusCode());
                    assertEquals("hello", response.body());
                    assertEquals(HttpClient.Version.HTTP_1_1, response.version());
                }
                var head = client.send(java.net.http.HttpRequest.newBuilder(uri(server, tls, "/")).timeout(TIMEOUT)
                        .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.ofByteArray());
                assertEquals("5", head.headers().firstValue("content-length").orElseThrow());
                assertEquals(0, head.body().length);
                var chunkedBothWays = client.send(java.net.http.HttpRequest.newBuilder(uri(server, tls, "/stream")).timeout(TIMEOUT)
                        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(upload))).build(), BodyHandlers.ofByteArray());
                assertArrayEquals(upload, chunkedBothWays.body());
                var continued = client.send(java.net.http.HttpRequest.newBuilder(uri(server, tls, "/echo")).timeout(TIMEOUT)
                        .expectContinue(true).POST(BodyPublishers.ofString("after continue")).build(), BodyHandlers.ofString());
                assertEquals("after continue", continued.body());
                var refused = client.send(java.net.http.HttpRequest.newBuilder(uri(server, tls, "/refuse")).timeout(TIMEOUT)
                        .expectContinue(true).POST(BodyPublishers.ofByteArray(upload)).build(), BodyHandlers.ofString());
                assertEquals(403, refused.statusCode());
            }
        });
        assertEquals(9, handlerCalls);
        assertTrue(server.stats().connectionsAccepted() <= 2,
                "keep-alive: " + server.stats().connectionsAccepted() + " connections for 9 requests (one close after the refusal)");
        assertEquals(1, server.stats().responses4xx());
    }

    @Test
    void aPlainTextClientOnTheTlsPortIsClosedWithoutAnError() {
        HttpServer server = server(true);
        String answer = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                return new String(client.readToEnd(), StandardCharsets.ISO_8859_1);  // a TLS alert, then the end
            } catch (java.net.SocketException reset) {
                return "";
            }
        });
        assertTrue(!answer.startsWith("HTTP/"), answer);
        assertEquals(0, handlerCalls);
        assertEquals(0, server.stats().connectionsAccepted());
    }
}
