package io.greenloop.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Routing: exact paths per method, the longest prefix, HEAD by GET, and 404 and 405 with Allow. */
class RoutesTest extends ServerCase {

    @Test
    void requestsGoToTheirRouteOrGet404Or405() {
        Routes routes = Routes.create()
                .get("/items", (request, response) -> response.send("list"))
                .post("/items", (request, response) -> response.send("created " + new String(request.bodyBytes())))
                .delete("/items", (request, response) -> response.status(204))
                .route("PATCH", "/items", (request, response) -> response.send("patched"))
                .prefix("/static", (request, response) -> response.send("static " + request.path()))
                .prefix("/static/img/", (request, response) -> response.send("image " + request.path()));
        HttpServer server = serve(routes);
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                assertEquals("list", client.send("GET /items HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                assertEquals("4", client.send("HEAD /items HTTP/1.1\r\nHost: a\r\n\r\n").readHead().header("content-length"));
                assertEquals("created x", client.send("POST /items HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx").read().text());
                assertEquals(204, client.send("DELETE /items HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                assertEquals("patched", client.send("PATCH /items HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                RawClient.Response notAllowed = client.send("PUT /items HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals(405, notAllowed.status());
                assertEquals("DELETE, GET, HEAD, PATCH, POST", notAllowed.header("allow"));
                assertEquals("static /static", client.send("GET /static HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                assertEquals("static /static/a.css", client.send("GET /static/a.css HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                assertEquals("image /static/img/b.png", client.send("PUT /static/img/b.png HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                assertEquals(404, client.send("GET /statics HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                assertEquals(404, client.send("GET /items/1 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                assertEquals("list", client.send("GET /items?page=2 HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            }
        });
        awaitNoConnections(server);
        assertEquals(new HttpServer.Stats(1, 0, 12, 3, 0, 0), server.stats());
    }

    @Test
    void aRouteTableRefusesWhatItCouldNeverMatch() {
        Routes routes = Routes.create().get("/a", (request, response) -> { });
        assertThrows(IllegalArgumentException.class, () -> routes.get("/a", (request, response) -> { }));
        assertThrows(IllegalArgumentException.class, () -> routes.get("a", (request, response) -> { }));
        assertThrows(IllegalArgumentException.class, () -> routes.route("GE T", "/b", (request, response) -> { }));
        routes.prefix("/p", (request, response) -> { });
        assertThrows(IllegalArgumentException.class, () -> routes.prefix("/p", (request, response) -> { }));
    }
}
