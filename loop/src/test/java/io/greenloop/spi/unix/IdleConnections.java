package io.greenloop.spi.unix;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The far end of the many-connections test, run as a child JVM so that each process needs only about
 * 10,000 descriptors: {@code IdleConnections PORT COUNT} opens COUNT connections to 127.0.0.1:PORT,
 * prints {@code connected COUNT}, then obeys stdin: {@code write I} sends one byte on connection I;
 * end of input closes them all and exits. It exits by itself after {@link #LIFETIME_MILLIS} whatever happens.
 */
public final class IdleConnections {

    /** Never outlive a broken test run by much. */
    static final long LIFETIME_MILLIS = 120_000;

    private IdleConnections() {
    }

    /** Entry point of the child process. */
    public static void main(String[] args) throws IOException {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(LIFETIME_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(3);
        });
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
            sockets.add(socket);
        }
        System.out.println("connected " + count);
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.startsWith("write ")) {
                sockets.get(Integer.parseInt(line.substring(6).trim())).getOutputStream().write(1);
            }
        }
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
