package io.greenloop.bench;

import io.greenloop.Loop;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A hello-world HTTP/1.1 keep-alive server written the way a user writes one with greenloop: a
 * {@link StreamServer} with a greenlet per connection, plain blocking-style reads and writes, and just
 * enough parsing to find the end of each request ({@code \r\n\r\n}); every request gets the same 200.
 * One loop on the main thread, listening on 127.0.0.1.
 *
 * <p>Usage: {@code HelloHttpServer [port [transport [seconds]]]}: port 8080 by default, the best
 * transport unless one is named ({@code nio}, {@code epoll}, ...), and without {@code seconds} it serves
 * until killed. Measure it with {@code wrk -t1 -c64 -d5s http://127.0.0.1:PORT/}.
 */
public final class HelloHttpServer {

    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 13\r\n"
            + "\r\n"
            + "Hello, World!").getBytes(StandardCharsets.US_ASCII);
    /** Requests whose headers do not fit are refused by closing the connection: a hello server needs no more. */
    private static final int MAX_HEADER_BYTES = 8192;

    private HelloHttpServer() {
    }

    /** Serves until killed, or for the number of seconds given as the third argument. */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        try (Loop loop = args.length > 1 ? Loop.open(args[1]) : Loop.open()) {
            StreamServer server = new StreamServer(new InetSocketAddress("127.0.0.1", port), HelloHttpServer::serve);
            server.start();
            System.out.println("hello server on http://127.0.0.1:" + server.address().getPort() + "/ (" + loop.transport() + " transport)");
            if (args.length > 2) {
                Duration runFor = Duration.ofSeconds(Long.parseLong(args[2]));
                loop.schedule(runFor, () -> loop.spawn(() -> server.stop(Duration.ofSeconds(1))));
            }
            server.serveForever();
        }
    }

    /** One connection: answer each request as soon as its header block is complete, until the client leaves. */
    static void serve(TcpSocket socket, InetSocketAddress peer) throws IOException {
        try {
            answerRequests(socket);
        } catch (SocketException e) {
            // The client reset the connection (wrk does at the end of a run): it left, which is not a server error.
        }
    }

    private static void answerRequests(TcpSocket socket) throws IOException {
        byte[] buffer = new byte[MAX_HEADER_BYTES];
        int filled = 0;
        while (true) {
            int n = socket.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                return;
            }
            int scanFrom = Math.max(0, filled - 3);
            filled += n;
            int consumed = 0;
            for (int end; (end = headerEnd(buffer, Math.max(consumed, scanFrom), filled)) >= 0; ) {
                socket.write(RESPONSE, 0, RESPONSE.length);
                consumed = end;
            }
            if (consumed > 0) {
                System.arraycopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
            } else if (filled == buffer.length) {
                return;  // headers too large for this server
            }
        }
    }

    /** The index just past the first {@code \r\n\r\n} at or after {@code from}, or -1. */
    private static int headerEnd(byte[] data, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }
}
