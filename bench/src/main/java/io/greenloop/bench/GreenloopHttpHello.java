package io.greenloop.bench;

import io.greenloop.Loop;
import io.greenloop.LoopGroup;
import io.greenloop.http.HttpHandler;
import io.greenloop.http.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * greenloop-http's peer of {@link HttpBenchmark}: an {@link HttpServer} with its defaults answering every request with
 * {@link HttpHello#BODY}, on this thread's loop ({@code LOOPS} 1) or on a {@link LoopGroup} of {@code LOOPS} loops.
 * Listens on 127.0.0.1.
 *
 * <p>Usage: {@code GreenloopHttpHello PORT LOOPS MAX_SECONDS} (see {@link HttpHello}).
 */
public final class GreenloopHttpHello {

    private GreenloopHttpHello() {
    }

    /**
     * Serves until killed or until {@code MAX_SECONDS} have passed.
     *
     * @param args {@code PORT LOOPS MAX_SECONDS}
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        HttpHello.Args parsed = HttpHello.Args.parse("GreenloopHttpHello", args);
        HttpHandler hello = (request, response) -> response.header("Content-Type", HttpHello.CONTENT_TYPE).send(HttpHello.BODY);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), parsed.port());
        if (parsed.loops() == 1) {
            try (Loop loop = Loop.open()) {
                HttpServer server = HttpServer.start(address, hello);
                HttpHello.listening(server.address().getPort(), "greenloop-http hello (one loop on " + loop.transport() + ")");
                if (parsed.maxSeconds() > 0) {
                    loop.schedule(Duration.ofSeconds(parsed.maxSeconds()), server::close);
                }
                server.serveForever();
            }
        } else {
            try (LoopGroup group = LoopGroup.start(parsed.loops())) {
                HttpServer server = HttpServer.start(group, address, hello, HttpServer.Options.defaults());
                HttpHello.listening(server.address().getPort(), "greenloop-http hello (" + parsed.loops() + " loops on "
                        + group.loops().getFirst().transport() + ")");
                HttpHello.serveFor(parsed.maxSeconds());
                server.close();
            }
        }
    }
}
