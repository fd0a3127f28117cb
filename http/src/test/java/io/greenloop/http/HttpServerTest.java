package io.greenloop.http;

import io.greenloop.AsyncResult;
import io.greenloop.LoopGroup;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
