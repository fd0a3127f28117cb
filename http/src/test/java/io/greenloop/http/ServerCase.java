package io.greenloop.http;

import io.greenloop.Green;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the HTTP tests share: a loop per test on the transport under test ({@link LoopExtension}, which fails
 * a test whose loop saw an unexpected error or kept greenlets alive), servers on 127.0.0.1 that are stopped
 * after the test, and a count of handler calls.
 */
abstract class ServerCase {

    static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    private final List<HttpServer> servers = new ArrayList<>();
    /** How often a handler made by {@link #counting} ran. */
    int handlerCalls;

    /** Starts a server on the test's loop. */
    HttpServer serve(HttpHandler handler) {
        return serve(handler, HttpServer.Options.defaults());
    }

    HttpServer serve(HttpHandler handler, HttpServer.Options options) {
        try {
            HttpServer server = HttpServer.start(ANY_PORT, handler, options);
            servers.add(server);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code handler}, counting its calls in {@link #handlerCalls}. */
    HttpHandler counting(HttpHandler handler) {
        return (request, response) -> {
            handlerCalls++;
            handler.handle(request, response);
        };
    }

    /** Answers "hello" to anything, counting calls. */
    HttpHandler hello() {
        return counting((request, response) -> response.send("hello"));
    }

    /** Drives the loop until {@code server} has no open connection (the clients closed theirs). */
    static void awaitNoConnections(HttpServer server) {
        while (server.stats().connectionsOpen() > 0) {
            Green.sleep(Duration.ofMillis(5));
        }
    }

    @AfterEach
    void stopServers() {
        for (HttpServer server : servers) {
            server.stop(Duration.ZERO);
        }
    }
}
