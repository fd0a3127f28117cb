package io.greenloop.tour;

import com.sun.net.httpserver.HttpServer;
import io.greenloop.Green;
import io.greenloop.Greenlet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * gevent's {@code monkey.patch_all()} example, with nothing to patch: plain blocking
 * {@code HttpClient.send} calls in greenlets run concurrently. Without URLs on the command line it fetches
 * from a small local server it starts (each page answers after its own delay); with URLs it fetches those.
 */
public final class HttpSection {

    /** The local server's pages and how long each takes to answer, in milliseconds. */
    private static final List<Integer> DELAYS_MILLIS = List.of(300, 500, 200, 400);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private HttpSection() {
    }

    /** Runs the section on the calling thread's loop; {@code args} are URLs to fetch instead of the local ones. */
    public static void run(String[] args) {
        System.out.println("\n== Blocking HttpClient.send in greenlets, concurrently");
        try (LocalServer server = args.length == 0 ? new LocalServer() : null;
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(FETCH_TIMEOUT).build()) {
            List<URI> uris = server != null ? server.pages() : Arrays.stream(args).map(URI::create).toList();
            if (server != null) {
                warmUp(client, server.page(0));
            }
            fetchAll(client, uris);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The first request of a JVM loads the HTTP client's classes, which takes a while and would hold the
     * loop inside a greenlet (the blocked-loop report would say so). Done once here, on the main thread
     * outside greenlets, where a blocking call simply blocks.
     */
    private static void warmUp(HttpClient client, URI uri) throws IOException, InterruptedException {
        long start = System.nanoTime();
        client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
        System.out.printf("warm-up: one fetch on the main thread to load the client's classes, %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
    }

    private static void fetchAll(HttpClient client, List<URI> uris) {
        long start = System.nanoTime();
        List<Greenlet<String>> fetches = new ArrayList<>();
        for (URI uri : uris) {
            fetches.add(Green.spawn(() -> {
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT).build();
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                String line = String.format("  %s -> %d, %d bytes, at %d ms", uri, response.statusCode(),
                        response.body().length, (System.nanoTime() - start) / 1_000_000);
                System.out.println(line);
                return line;
            }));
        }
        Green.joinAll(fetches, FETCH_TIMEOUT.plusSeconds(1));
        for (int i = 0; i < fetches.size(); i++) {
            if (!fetches.get(i).successful()) {
                System.out.println("  " + uris.get(i) + " failed: " + fetches.get(i).exception());
            }
        }
        System.out.printf("%d fetches took %d ms in all, not the sum of their times%n",
                fetches.size(), (System.nanoTime() - start) / 1_000_000);
    }

    /** A JDK HttpServer on loopback whose page {@code /wait/N} answers after N ms; it stops when closed. */
    private static final class LocalServer implements AutoCloseable {
        private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        private final HttpServer server;

        LocalServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setExecutor(handlers);
            server.createContext("/wait/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                long delay = Long.parseLong(path.substring("/wait/".length()));
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = ("answered " + path + " after " + delay + " ms\n").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            System.out.println("a local server listens on http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }

        List<URI> pages() {
            return DELAYS_MILLIS.stream().map(this::page).toList();
        }

        URI page(int delayMillis) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/wait/" + delayMillis);
        }

        @Override
        public void close() {
            server.stop(0);
            handlers.close();
        }
    }
}
