package io.greenloop.net;

import io.greenloop.Loop;

import java.net.InetSocketAddress;
import java.security.Security;
import java.time.Duration;

/**
 * A JVM of its own for {@link TlsConformanceTest#keyUpdatesMidStreamWhileBothDirectionsAreBusy}: sets
 * {@code jdk.tls.keyLimits} before any TLS class loads (the JDK reads it once), then sends 2 MiB each way at
 * once over TLS 1.3 on the transport named by the first argument. Exit status 0 and a last line
 * "exchanged ..." mean every byte arrived intact.
 */
public final class KeyUpdateChild {

    private KeyUpdateChild() {
    }

    public static void main(String[] args) {
        try {
            run(args[0]);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);  // no thread left behind may keep this JVM (and the test waiting for it) alive
        }
    }

    private static void run(String transport) throws Exception {
        Security.setProperty("jdk.tls.keyLimits", "AES/GCM/NoPadding KeyUpdate 2^14, ChaCha20-Poly1305 KeyUpdate 2^14");
        int size = 2 << 20;
        try (Loop loop = Loop.open(transport)) {
            StreamServer server = StreamServer.tls(new InetSocketAddress("127.0.0.1", 0), TestKeys.server(),
                    (socket, peer) -> TlsConformanceTest.exchangeThenAwaitClose(socket, size, 2));
            server.start();
            // The client runs in a greenlet too, not on the owner thread: the JDK's debug log prints from every
            // side under PrintStream's monitor, and an owner thread blocked on a monitor that a greenlet of its
            // own loop is queued for stops that loop (see README, "Blocking JDK code inside greenlets").
            loop.spawn(() -> {
                TcpSocket tcp = TcpSocket.connect(server.address(), Duration.ofSeconds(10));
                try (TlsSocket client = TlsSocket.client(tcp, TestKeys.client(), "localhost")) {
                    client.setTimeout(Duration.ofSeconds(60));
                    TlsConformanceTest.exchange(client, size, 1);
                }
            }).get();
            server.close();
        }
        System.out.println("exchanged " + size + " bytes each way");
        System.out.flush();
    }
}
