package io.greenloop.bench;

import io.helidon.webserver.WebServer;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Helidon SE 4's peer of {@link HttpBenchmark}: its web server (one virtual thread per connection that reads, parses
 * and calls the handler in blocking style, the programming model closest to greenloop's), with one route answering
 * {@code GET /} with {@link HttpHello#BODY}. {@code LOOPS} is the number of carrier threads of the virtual-thread
 * scheduler. Listens on 127.0.0.1; logs only warnings.
 *
 * <p>Usage: {@code HelidonHelloServer PORT LOOPS MAX_SECONDS} (see {@link HttpHello}).
 */
public final class HelidonHelloServer {

    /** Connections waiting to be accepted: 1,000 arrive at once in the -c1000 rows. */
    private static final int BACKLOG = 1024;
    /** Held here: JUL keeps loggers weakly, and a collected one would forget its level. */
    private static final Logger HELIDON_LOGGER = Logger.getLogger("io.helidon");

    private HelidonHelloServer() {
    }

    /** Serves until killed or until {@code MAX_SECONDS} have passed. */
    public static void main(String[] args) throws InterruptedException {
        HttpHello.Args parsed = HttpHello.Args.parse("HelidonHelloServer", args);
        HttpHello.virtualThreadCarriers(parsed.loops());
        HELIDON_LOGGER.setLevel(Level.WARNING);
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(parsed.port())
                .backlog(BACKLOG)
                .shutdownHook(false)
                .routing(routing -> routing.get("/", (request, response) -> {
                    response.header("Content-Type", HttpHello.CONTENT_TYPE);
                    response.send(HttpHello.BODY);
                }))
                .build()
                .start();
        try {
            HttpHello.listening(server.port(), "Helidon SE webserver hello (virtual threads on " + parsed.loops() + " carrier(s))");
            HttpHello.serveFor(parsed.maxSeconds());
        } finally {
            server.stop();
        }
    }
}
