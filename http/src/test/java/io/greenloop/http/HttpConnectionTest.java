package io.greenloop.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The connection engine over raw sockets: keep-alive, pipelining, bytes one at a time, timeouts. */
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
                }
            }
        });
        assertEquals(3, handlerCalls);
        assertEquals(1, server.stats().connectionsAccepted());
    }
}
