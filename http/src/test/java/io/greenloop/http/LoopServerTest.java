package io.greenloop.http;

import io.greenloop.AsyncResult;
import io.greenloop.Event;
import io.greenloop.Green;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One loop's server: the timeouts its sweep enforces, its connection limit, and its graceful stop. */
class LoopServerTest extends ServerCase {

    @Test
    void anIdleKeepAliveConnectionClosesAfterTheIdleTimeout() {
        Duration idle = Duration.ofMillis(300);
        HttpServer server = serve(hello(), HttpServer.Options.defaults().withIdleTimeout(idle));
        long idleMillis = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                assertEquals(200, client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                long start = System.nanoTime();
                assertTrue(client.closedByServer(), "an idle connection must close");
                return (System.nanoTime() - start) / 1_000_000;
            }
        });
        assertTrue(idleMillis >= idle.toMillis() - 20, "closed after " + idleMillis + " ms, before the idle timeout");
        awaitNoConnections(server);
    }

    @Test
    void aHeadMustArriveWithinTheHeadTimeoutHoweverItTrickles() {
        Duration headTimeout = Duration.ofMillis(500);
        HttpServer server = serve(hello(), HttpServer.Options.defaults().withRequestHeadTimeout(headTimeout));
        long trickledMillis = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                long start = System.nanoTime();
                client.socket.setSoTimeout(50);
                for (byte b : "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)) {
                    client.send(new byte[] {b});
                    try {
                        if (client.socket.getInputStream().read() < 0) {
                            break;
                        }
                    } catch (SocketTimeoutException stillOpen) {
                        continue;
                    } catch (java.net.SocketException reset) {
                        break;
                    }
                }
                client.socket.setSoTimeout(RawClient.READ_TIMEOUT_MILLIS);
                assertTrue(client.closedByServer());
                return (System.nanoTime() - start) / 1_000_000;
            }
        });
        assertTrue(trickledMillis >= headTimeout.toMillis() - 20, "closed after " + trickledMillis + " ms");
        long silentMillis = OffLoop.call(() -> {
            try (RawClient client = new RawClient(server.address())) {
                long start = System.nanoTime();
                assertTrue(client.closedByServer(), "a connection that never sends a head must close");
                return (System.nanoTime() - start) / 1_000_000;
            }
        });
        assertTrue(silentMillis >= headTimeout.toMillis() - 20, "closed after " + silentMillis + " ms");
        assertEquals(0, handlerCalls);
    }

    /**
     * Slowloris: 500 clients each trickle a head at a byte a second. All are closed within the head timeout plus a
     * second, while a well-behaved client on its own connection keeps being served. (StreamServer's idle timeout
     * could not do it: each byte counts as activity.)
     */
    @Test
    void slowlorisPeersAreClosedWhileAWellBehavedClientIsServed() throws Exception {
        int peers = 500;
        Duration headTimeout = Duration.ofSeconds(2);
        HttpServer server = serve(hello(), HttpServer.Options.defaults().withRequestHeadTimeout(headTimeout));
        List<Long> closedAfterMillis = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        AsyncResult<Void> peersDone = new AsyncResult<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try (ExecutorService trickling = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < peers; i++) {
                    trickling.submit(() -> trickle(server.address(), closedAfterMillis, failures));
                }
            }
            peersDone.set(null);
        });
        AsyncResult<List<Long>> served = new AsyncResult<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                served.set(requestUntil(server.address(), peersDone));
            } catch (Throwable e) {
                served.setException(e);
            }
        });
        List<Long> latenciesMicros = served.get();
        peersDone.get();
        assertEquals(List.of(), failures);
        assertEquals(peers, closedAfterMillis.size());
        long slowest = Collections.max(closedAfterMillis);
        assertTrue(slowest <= headTimeout.plusSeconds(1).toMillis(), "a trickling peer stayed " + slowest + " ms");
        assertTrue(latenciesMicros.size() >= 10, "the well-behaved client got only " + latenciesMicros.size() + " answers");
        List<Long> sorted = new ArrayList<>(latenciesMicros);
        Collections.sort(sorted);
        long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
        System.out.printf("slowloris: %d peers closed after at most %d ms; %d requests of a well-behaved client, p99 %d us%n",
                peers, slowest, sorted.size(), p99);
        assertTrue(p99 < 2_000_000, "the well-behaved client's p99 was " + p99 + " us");
        assertEquals(0, server.stats().rejected());
    }

    private static Void trickle(InetSocketAddress address, List<Long> closedAfterMillis, List<Throwable> failures) {
        byte[] head = "GET /slow HTTP/1.1\r\nHost: a\r\nX-Trickle: 0123456789\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket()) {
            socket.connect(address, 20_000);
            long start = System.nanoTime();
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; ; i++) {
                out.write(head[i % head.length]);
                try {
                    if (in.read() < 0) {
                        break;
                    }
                    throw new AssertionError("the server answered a head that never ended");
                } catch (SocketTimeoutException stillOpen) {
                    // a second has passed: the next byte
                } catch (java.net.SocketException reset) {
                    break;
                }
            }
            closedAfterMillis.add((System.nanoTime() - start) / 1_000_000);
        } catch (Throwable e) {
            failures.add(e);
        }
        return null;
    }

    private static List<Long> requestUntil(InetSocketAddress address, AsyncResult<Void> done) throws Exception {
        List<Long> latencies = new ArrayList<>();
        try (RawClient client = new RawClient(address)) {
            while (!done.ready() || latencies.size() < 10) {
                long start = System.nanoTime();
                assertEquals("hello", client.send("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                latencies.add((System.nanoTime() - start) / 1_000);
                Thread.sleep(10);
            }
        }
        return latencies;
    }

    @Test
    void beyondMaxConnectionsANewConnectionWaitsInTheBacklog() {
        HttpServer server = serve(hello(), HttpServer.Options.defaults().withMaxConnections(1));
        OffLoop.run(() -> {
            try (RawClient first = new RawClient(server.address()); RawClient second = new RawClient(server.address())) {
                assertEquals(200, first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                second.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
                second.socket.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, second::read, "served beyond maxConnections");
                second.socket.setSoTimeout(RawClient.READ_TIMEOUT_MILLIS);
                first.close();
                assertEquals(200, second.read().status());
            }
        });
        assertEquals(2, handlerCalls);
    }

    @Test
    void stopLetsTheRequestInFlightFinishWithConnectionCloseAndClosesAnIdleConnectionAtOnce() throws Exception {
        Event slowStarted = new Event();
        AtomicBoolean idleGoneFirst = new AtomicBoolean();
        HttpServer[] served = new HttpServer[1];
        HttpServer server = serve(counting((request, response) -> {
            if (request.path().equals("/slow")) {
                slowStarted.set();
                // The request in flight goes on until the idle connection is gone (a state, waited for up to 10 s).
                for (int i = 0; i < 2_000 && served[0].stats().connectionsOpen() > 1; i++) {
                    Green.sleep(Duration.ofMillis(5));
                }
                idleGoneFirst.set(served[0].stats().connectionsOpen() == 1);
            }
            response.send("done " + request.path());
        }));
        served[0] = server;
        AsyncResult<Void> idleReady = new AsyncResult<>();
        AsyncResult<Boolean> idleClosed = new AsyncResult<>();
        client(() -> {
            try (RawClient idle = new RawClient(server.address())) {
                assertEquals(200, idle.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                idleReady.set(null);
                idleClosed.set(idle.closedByServer());
            }
        }, idleClosed);
        idleReady.get();
        AsyncResult<RawClient.Response> slow = new AsyncResult<>();
        client(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertTrue(client.closedByServer());
                slow.set(response);
            }
        }, slow);
        slowStarted.await();
        server.stop(Duration.ofSeconds(30));
        RawClient.Response answered = slow.get();
        assertEquals("done /slow", answered.text());
        assertEquals("close", answered.header("connection"));
        assertTrue(idleGoneFirst.get(), "the idle connection must close at once, before the request in flight ends");
        assertTrue(idleClosed.get());
        assertEquals(0, server.stats().connectionsOpen());
        Exception refused = OffLoop.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(server.address(), 5_000);
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        assertTrue(refused instanceof ConnectException, "a connection after stop: " + refused);
    }

    @Test
    void noHandlerOutlivesStopAfterItsGrace() {
        Event started = new Event();
        AtomicBoolean cleanedUp = new AtomicBoolean();
        HttpServer server = serve(counting((request, response) -> {
            started.set();
            try {
                Green.sleep(Duration.ofHours(1));
            } finally {
                cleanedUp.set(true);
            }
        }));
        AsyncResult<Boolean> clientSawClose = new AsyncResult<>();
        client(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                clientSawClose.set(client.closedByServer());
            }
        }, clientSawClose);
        started.await();
        server.stop(Duration.ofMillis(100));
        assertTrue(cleanedUp.get(), "the killed handler's finally must have run");
        assertEquals(0, server.stats().connectionsOpen());
        assertTrue(OffLoop.call(() -> clientSawClose.get()));
    }

    /** Runs a client on its own thread; a failure completes {@code result} with it. */
    private static void client(OffLoop.ThrowingRunnable body, AsyncResult<?> result) {
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                if (!result.ready()) {
                    result.setException(e);
                }
            }
        });
    }
}
