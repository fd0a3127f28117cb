package io.greenloop.tour;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TlsSocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tour's TLS section: the echo server again, now {@link StreamServer#tls} with a certificate made at run
 * time ({@link SelfSignedTls}), and greenlet clients that connect with {@link TlsSocket#connect} (SNI and
 * hostname verification on). Handshakes and records all run on the calling thread's loop.
 */
public final class TlsEchoSection {

    private static final int CLIENTS = 2;

    private TlsEchoSection() {
    }

    /** Runs the section on the calling thread's loop, printing as it goes. */
    public static void run() throws Exception {
        System.out.println("\n== TLS: StreamServer.tls and TlsSocket, a certificate made by keytool just now");
        long start = System.nanoTime();
        SelfSignedTls keys = SelfSignedTls.localhost();
        System.out.printf("keytool made a self-signed certificate for localhost in %d ms (the loop kept running)%n",
                (System.nanoTime() - start) / 1_000_000);
        StreamServer server = StreamServer.tls(new InetSocketAddress("127.0.0.1", 0), keys.server(), TlsEchoSection::echoLines);
        server.start();
        System.out.println("TLS server listening on " + server.address());
        List<Greenlet<?>> clients = new ArrayList<>();
        for (int i = 1; i <= CLIENTS; i++) {
            int client = i;
            clients.add(Green.spawn(() -> talk(client, keys, server.address().getPort())));
        }
        Green.joinAll(clients);
        server.stop(Duration.ofSeconds(1));
        System.out.println("TLS server stopped");
    }

    private static void echoLines(TlsSocket socket, InetSocketAddress peer) throws IOException {
        System.out.println("  server: " + socket.session().getProtocol() + " " + socket.session().getCipherSuite()
                + " with port " + peer.getPort());
        BufferedReader lines = new BufferedReader(new InputStreamReader(socket.inputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            byte[] reply = ("echo: " + line + "\n").getBytes(StandardCharsets.UTF_8);
            socket.write(reply, 0, reply.length);
        }
        System.out.println("  server: the client on port " + peer.getPort() + " sent close_notify");
    }

    private static void talk(int client, SelfSignedTls keys, int port) throws IOException {
        try (TlsSocket socket = TlsSocket.connect("localhost", port, keys.client())) {
            socket.setTimeout(Duration.ofSeconds(5));
            BufferedReader replies = new BufferedReader(new InputStreamReader(socket.inputStream(), StandardCharsets.UTF_8));
            String line = "hello over TLS from client " + client;
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            socket.write(bytes, 0, bytes.length);
            System.out.println("client " + client + " got:   " + replies.readLine());
        }
    }
}
