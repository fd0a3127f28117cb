package io.greenloop.tour;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The tour's networking section: a {@link StreamServer} that echoes lines, and a handful of greenlet
 * clients talking to it at the same time, all on the calling thread's loop. The printed lines interleave
 * because the clients take turns whenever one waits for the network.
 */
public final class EchoSection {

    private static final int CLIENTS = 3;
    private static final int LINES_PER_CLIENT = 2;

    private EchoSection() {
    }

    /** Runs the section on the calling thread's loop, printing as it goes. */
    public static void run() {
        System.out.println("\n== StreamServer: an echo server and " + CLIENTS + " greenlet clients");
        StreamServer server = new StreamServer(new InetSocketAddress("127.0.0.1", 0), EchoSection::echoLines);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the echo server", e);
        }
        System.out.println("server listening on " + server.address());
        List<Greenlet<?>> clients = new ArrayList<>();
        for (int i = 1; i <= CLIENTS; i++) {
            int client = i;
            clients.add(Green.spawn(() -> talk(client, server.address())));
        }
        Green.joinAll(clients);
        server.stop(Duration.ofSeconds(1));
        System.out.println("server stopped; every client got its lines back");
    }

    /** The server side of one connection, in a greenlet of its own: echo each line until the client closes. */
    private static void echoLines(TcpSocket socket, InetSocketAddress peer) throws IOException {
        System.out.println("  server: connection from port " + peer.getPort());
        BufferedReader lines = new BufferedReader(new InputStreamReader(socket.inputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            byte[] reply = ("echo: " + line + "\n").getBytes(StandardCharsets.UTF_8);
            socket.write(reply, 0, reply.length);
        }
        System.out.println("  server: port " + peer.getPort() + " closed");
    }

    private static void talk(int client, InetSocketAddress server) throws IOException {
        try (TcpSocket socket = TcpSocket.connect(server, Duration.ofSeconds(5))) {
            BufferedReader replies = new BufferedReader(new InputStreamReader(socket.inputStream(), StandardCharsets.UTF_8));
            for (int n = 1; n <= LINES_PER_CLIENT; n++) {
                String line = "hello " + n + " from client " + client;
                System.out.println("client " + client + " sends: " + line);
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                socket.write(bytes, 0, bytes.length);
                System.out.println("client " + client + " got:   " + replies.readLine());
            }
        }
    }
}
