package io.greenloop.tour;

import io.greenloop.AsyncResult;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.http.HttpServer;
import io.greenloop.http.Routes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * HTTP both ways on one loop: an {@link HttpServer} whose page {@code /wait/N} answers after N ms (a
 * {@code Green.sleep} in its handler, so the loop serves the others meanwhile), then gevent's
 * {@code monkey.patch_all()} example with nothing to patch: plain blocking {@code HttpClient.send} calls in
 * greenlets fetch the pages concurrently. With URLs on the command line it fetches those instead.
 */
public final class HttpSection {

    /** The local server's pages and how long each takes to answer, in milliseconds. */
    private static final List<Integer> DELAYS_MILLIS = List.of(300, 500, 200, 400);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    private HttpSection() {
    }

    /** Runs the section on the calling thread's loop; {@code args} are URLs to fetch instead of the local ones. */
    public static void run(String[] args) {
        System.out.println("\n== HTTP: an HttpServer on this loop, and blocking HttpClient.send in greenlets against it");
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(FETCH_TIMEOUT).build()) {
            if (args.length > 0) {
                fetchAll(client, Arrays.stream(args).map(URI::create).toList());
                return;
            }
            HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), pages());
            String base = "http://127.0.0.1:" + server.address().getPort();
            System.out.println("an HttpServer listens on " + base + "/ (this loop); its handlers are blocking-style code");
            warmUp(client, URI.create(base + "/wait/0"));
            fetchAll(client, DELAYS_MILLIS.stream().map(delay -> URI.create(base + "/wait/" + delay)).toList());
            post(client, URI.create(base + "/echo"));
            server.stop(Duration.ofSeconds(1));
            System.out.println("stopped: " + server.stats());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET /wait/N}: answers after N ms; {@code POST /echo}: the body back; anything else 404 (or 405). */
    private static Routes pages() {
        return Routes.create()
                .prefix("/wait/", (request, response) -> {
                    long delay = Long.parseLong(request.path().substring("/wait/".length()));
                    Green.sleep(Duration.ofMillis(delay));
                    response.send("answered " + request.path() + " after " + delay + " ms\n");
                })
                .post("/echo", (request, response) -> response.header("Content-Type", "application/octet-stream")
                        .send(request.bodyBytes()));
    }

    /**
     * The first request of a JVM loads the HTTP client's classes, which takes a while: done on a thread of its
     * own while this one drives the loop (the server answers from it), so that no greenlet holds the loop meanwhile.
     */
    private static void warmUp(HttpClient client, URI uri) {
        long start = System.nanoTime();
        AsyncResult<Integer> fetched = new AsyncResult<>();
        Thread.ofPlatform().start(() -> {
            try {
                fetched.set(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            } catch (Exception e) {
                fetched.setException(e);
            }
        });
        try {
            System.out.printf("warm-up: one fetch from another thread to load the client's classes: %d in %d ms%n",
                    fetched.get(), Tour.millisSince(start));
        } catch (ExecutionException | InterruptedException e) {
            throw new IllegalStateException("the warm-up fetch failed", e);
        }
    }

    private static void fetchAll(HttpClient client, List<URI> uris) {
        long start = System.nanoTime();
        List<Greenlet<String>> fetches = new ArrayList<>();
        for (URI uri : uris) {
            fetches.add(Green.spawn(() -> {
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT).build();
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                String line = String.format("  %s -> %d, %d bytes, at %d ms", uri, response.statusCode(),
                        response.body().length, Tour.millisSince(start));
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
        System.out.printf("%d fetches took %d ms in all, not the sum of their times%n", fetches.size(), Tour.millisSince(start));
    }

    private static void post(HttpClient client, URI uri) {
        Greenlet<String> posted = Green.spawn(() -> client.send(HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("a request body, echoed")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        posted.join(FETCH_TIMEOUT);
        System.out.println("POST /echo -> \"" + (posted.successful() ? posted.value() : posted.exception()) + "\"");
    }
}
