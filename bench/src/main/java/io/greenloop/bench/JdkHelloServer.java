package io.greenloop.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's peer of {@link HttpBenchmark}: {@code com.sun.net.httpserver.HttpServer} (its own dispatcher thread
 * reads and parses request heads; keep-alive) with a virtual-thread-per-task executor running the handler, which
 * answers every request with {@link HttpHello#BODY}. {@code LOOPS} is the number of carrier threads of the
 * virtual-thread scheduler. Listens on 127.0.0.1.
 *
 * <p>Usage: {@code JdkHelloServer PORT LOOPS MAX_SECONDS} (see {@link HttpHello}).
 */
public final class JdkHelloServer {

    /** Connections waiting to be accepted: 1,000 arrive at once in the -c1000 rows. */
    private static final int BACKLOG = 1024;

    private JdkHelloServer() {
    }

    /** Serves until killed or until {@code MAX_SECONDS} have passed. */
    public static void main(String[] args) throws IOException, InterruptedException {
        HttpHello.Args parsed = HttpHello.Args.parse("JdkHelloServer", args);
        HttpHello.virtualThreadCarriers(parsed.loops());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), parsed.port()), BACKLOG);
        server.createContext("/", JdkHelloServer::hello);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            server.setExecutor(executor);
            server.start();
            HttpHello.listening(server.getAddress().getPort(),
                    "JDK HttpServer hello (virtual threads on " + parsed.loops() + " carrier(s))");
            HttpHello.serveFor(parsed.maxSeconds());
            server.stop(0);
        }
    }

    private static void hello(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
            body.transferTo(OutputStream.nullOutputStream());  // a request body, if any, so the next request parses
            exchange.getResponseHeaders().set("Content-Type", HttpHello.CONTENT_TYPE);
            exchange.sendResponseHeaders(200, HttpHello.BODY.length);
            out.write(HttpHello.BODY);
        }
    }
}
