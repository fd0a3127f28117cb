package io.greenloop.http;

import io.greenloop.AsyncResult;
import io.greenloop.Event;
import io.greenloop.Eventually;
import io.greenloop.LoopGroup;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server as a whole: its numbers and bean, a LoopGroup, stopping from another thread, options, buffers, ALPN. */
class HttpServerTest extends ServerCase {

    @Test
    void statsCountConnectionsRequestsAndRefusals() {
        HttpServer server = serve(counting((request, response) -> {
            switch (request.path()) {
                case "/missing" -> response.status(404).send("no");
                case "/broken" -> throw new IllegalStateException("broken on purpose");
                default -> response.send("ok");
            }
        }));
        HttpServerMXBean bean = new HttpServerBean(server);
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
                client.send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n").read();
                client.send("GET /broken HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET / HTTP/1.1\r\n\r\n").read();
            }
        });
        awaitNoConnections(server);
        assertEquals(new HttpServer.Stats(2, 0, 3, 2, 1, 1), server.stats());
        assertEquals(3, bean.getRequests());
        assertEquals(1, bean.getRejected());
    }

    @Test
    void aBeanIsRegisteredWhileTheServerServes() throws Exception {
        HttpServer server = serve(hello());
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
        });
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.greenloop:type=HttpServer,name=" + server.name());
        awaitRegistered(beans, name, true);
        assertEquals(1L, beans.getAttribute(name, "Requests"));
        assertEquals(1L, beans.getAttribute(name, "ConnectionsAccepted"));
        server.stop(Duration.ZERO);
        awaitRegistered(beans, name, false);
    }

    private static void awaitRegistered(MBeanServer beans, ObjectName name, boolean registered) throws InterruptedException {
        for (int i = 0; i < 2_000 && beans.isRegistered(name) != registered; i++) {
            Thread.sleep(10);
        }
        assertEquals(registered, beans.isRegistered(name), name.toString());
    }

    @Test
    void aGroupServesOnEveryLoopAndSumsItsNumbers() throws Exception {
        try (LoopGroup group = LoopGroup.start(2)) {
            HttpServer server = HttpServer.start(group, ANY_PORT,
                    (request, response) -> response.send(Thread.currentThread().getName()), HttpServer.Options.defaults());
            List<String> servedBy = OffLoop.call(() -> {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    try (RawClient client = new RawClient(server.address())) {
                        names.add(client.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read().text());
                    }
                }
                return names;
            });
            assertEquals(20, servedBy.size());
            assertEquals(2, server.parts().size());
            server.stop(Duration.ofSeconds(5));
            HttpServer.Stats stats = server.stats();
            assertEquals(20, stats.requests());
            assertEquals(20, stats.connectionsAccepted());
            assertEquals(0, stats.connectionsOpen());
            assertThrows(ConnectException.class, () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(server.address(), 5_000);
                }
            });
        }
    }

    /**
     * The group's stop is the loop module's {@code GroupServer} drain after the HTTP part's own first step: idle
     * keep-alive connections close at once, the request in flight finishes (answered with Connection: close) while
     * new connections are refused, and the stop returns with that request, long before its grace. The connections
     * waiting beyond maxConnections (the whole server's) in the listeners' queues are served while a slot is free,
     * else closed cleanly: never reset, as closing a listener with them queued would.
     */
    @Test
    void aGroupsStopFinishesTheRequestInFlightAndEndsEveryQueuedConnectionCleanly() throws Exception {
        try (LoopGroup group = LoopGroup.start(2)) {
            Event release = new Event();
            CountDownLatch slowStarted = new CountDownLatch(1);
            AtomicLong handlerEnded = new AtomicLong();
            HttpServer server = HttpServer.start(group, ANY_PORT, (request, response) -> {
                if (request.path().equals("/slow")) {
                    slowStarted.countDown();
                    release.await();
                    response.send("done /slow");
                    handlerEnded.set(System.nanoTime());
                } else {
                    response.send("ok " + request.path());
                }
            }, HttpServer.Options.defaults().withMaxConnections(2));
            Duration grace = Duration.ofSeconds(2);
            OffLoop.run(() -> {
                List<Socket> queued = new ArrayList<>();
                try (RawClient idle = new RawClient(server.address()); RawClient slow = new RawClient(server.address())) {
                    assertEquals(200, idle.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                    slow.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
                    assertTrue(slowStarted.await(30, TimeUnit.SECONDS));
                    for (int i = 0; i < 6; i++) {  // beyond maxConnections: they wait in the backlog
                        Socket client = new Socket();
                        client.setSoTimeout(30_000);
                        client.connect(server.address(), 5_000);
                        client.getOutputStream().write(("GET /queued" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        queued.add(client);
                    }
                    AtomicLong stopReturned = new AtomicLong();
                    Thread stopper = Thread.ofPlatform().start(() -> {
                        server.stop(grace);
                        stopReturned.set(System.nanoTime());
                    });
                    assertTrue(idle.closedByServer(), "the idle keep-alive connection closes at once");
                    for (Socket client : queued) {
                        String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);  // a reset throws
                        // Served (a slot freed as the idle connection closed), or refused with a clean close.
                        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 200"), answer);
                        client.close();
                    }
                    Eventually.awaitOffLoop("a new connection refused", () -> refuses(server.address()));
                    release.set();
                    RawClient.Response answered = slow.read();
                    assertEquals("done /slow", answered.text());
                    assertEquals("close", answered.header("connection"));
                    assertTrue(slow.closedByServer());
                    stopper.join();
                    long afterHandler = stopReturned.get() - handlerEnded.get();
                    assertTrue(afterHandler >= 0 && afterHandler < grace.toNanos() / 2, "the stop returned "
                            + afterHandler / 1_000_000 + " ms after the request in flight ended, with a grace of " + grace);
                } finally {
                    for (Socket client : queued) {
                        client.close();
                    }
                }
            });
            assertEquals(0, server.stats().connectionsOpen());
        }
    }

    /** Whether a connection to {@code address} is refused now; one that gets in is closed at once. */
    private static boolean refuses(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void stopFromAnotherThreadEndsServeForever() throws Exception {
        HttpServer server = serve(hello());
        AsyncResult<Void> stopped = new AsyncResult<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                Thread.sleep(100);
                server.stop(Duration.ofSeconds(1));
                stopped.set(null);
            } catch (Throwable e) {
                stopped.setException(e);
            }
        });
        server.serveForever();
        stopped.get();
        assertEquals(0, server.stats().connectionsOpen());
    }

    @Test
    void idleKeepAliveConnectionsOwnNoBuffer() {
        HttpServer server = serve(hello());
        LoopResources resources = server.parts().getFirst().resources;
        int inboundBefore = resources.inboundMade;
        int outboundBefore = resources.outboundMade;
        int connections = 50;
        List<RawClient> clients = new ArrayList<>();
        try {
            OffLoop.run(() -> {
                for (int i = 0; i < connections; i++) {
                    RawClient client = new RawClient(server.address());
                    clients.add(client);
                    assertEquals("hello", client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                }
            });
            assertEquals(connections, server.stats().connectionsOpen());
            assertTrue(resources.inboundMade - inboundBefore <= 1, (resources.inboundMade - inboundBefore)
                    + " read buffers for " + connections + " connections served one after another");
            assertTrue(resources.outboundMade - outboundBefore <= 1, (resources.outboundMade - outboundBefore) + " write buffers");
        } finally {
            OffLoop.run(() -> {
                for (RawClient client : clients) {
                    client.close();
                }
            });
        }
    }

    @Test
    void alpnSettlesOnHttp11() {
        HttpServer server = serve(hello(), HttpServer.Options.defaults().withTls(SelfSignedKeys.server()));
        String protocol = OffLoop.call(() -> {
            try (SSLSocket socket = (SSLSocket) SelfSignedKeys.client().getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                return socket.getApplicationProtocol();
            }
        });
        assertEquals("http/1.1", protocol);
    }

    @Test
    void optionsRefuseValuesThatCouldNeverServe() {
        HttpServer.Options defaults = HttpServer.Options.defaults();
        List<Runnable> bad = List.of(() -> defaults.withMaxRequestLineBytes(0), () -> defaults.withMaxHeadBytes(-1),
                () -> defaults.withMaxBodyBytes(-1), () -> defaults.withMaxHeaderFields(0), () -> defaults.withMaxConnections(0),
                () -> defaults.withIdleTimeout(Duration.ZERO), () -> defaults.withRequestHeadTimeout(Duration.ofSeconds(-1)));
        for (Runnable option : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, option::run);
            assertTrue(e.getMessage().contains("use") || e.getMessage().contains("give"), e.getMessage());
        }
        assertEquals(null, defaults.withIdleTimeout(null).idleTimeout());
    }
}
