package io.greenloop.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The line protocol of the server tests: a handler reads a line from a {@link TcpSocket} and writes one back; a
 * plain JDK client (blocking, with generous timeouts) sends lines and reads the answers.
 */
public final class Lines {

    /** How long a test client waits for a read: only a broken server waits this long. */
    public static final int READ_TIMEOUT_MILLIS = 30_000;

    private Lines() {
    }

    /** A JDK client connected to {@code address}, its reads bounded by {@link #READ_TIMEOUT_MILLIS}. */
    public static Socket connect(InetSocketAddress address) throws IOException {
        Socket client = new Socket();
        client.setSoTimeout(READ_TIMEOUT_MILLIS);
        client.connect(address, 10_000);
        return client;
    }

    /** Sends {@code line} and returns the line the server answers ({@code null}: the connection ended). */
    public static String ask(Socket client, String line) throws IOException {
        send(client, line);
        return reader(client).readLine();
    }

    /** Sends {@code line} without waiting for an answer. */
    public static void send(Socket client, String line) throws IOException {
        client.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** The client's input as lines. */
    public static BufferedReader reader(Socket client) throws IOException {
        return new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** In a handler: the next line from the client, without its newline ("" at the end of the stream). */
    public static String readLine(TcpSocket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        byte[] one = new byte[1];
        while (socket.read(one, 0, 1) == 1 && one[0] != '\n') {
            line.append((char) one[0]);
        }
        return line.toString();
    }

    /** In a handler: writes {@code line} and a newline. */
    public static void writeLine(TcpSocket socket, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        socket.write(bytes, 0, bytes.length);
    }
}
