package io.greenloop.bench;

import io.greenloop.Loop;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;

/**
 * A hello-world HTTP/1.1 keep-alive server written the way a user writes one with greenloop: a
 * {@link StreamServer} with a greenlet per connection, plain blocking-style reads and writes, and just
 * enough parsing to find the end of each request ({@link RequestFraming}, which {@link NettyHelloServer} uses
 * too); every request gets the same 200.
 * One loop on the main thread, listening on 127.0.0.1.
 *
 * <p>Usage: {@code HelloHttpServer [port [transport [seconds]]]}: port 8080 by default, the best
 * transport unless one is named ({@code nio}, {@code epoll}, ...), and without {@code seconds} it serves
 * until killed. Measure it with {@code wrk -t1 -c64 -d5s http://127.0.0.1:PORT/}.
 */
public final class HelloHttpServer {

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
        RequestFraming framing = new RequestFraming();
        byte[] buffer = new byte[EchoPeers.READ_BUFFER];
        byte[] responses = RequestFraming.RESPONSE;
        for (int n; (n = socket.read(buffer, 0, buffer.length)) >= 0; ) {
            int count = framing.completedRequests(buffer, 0, n);
            if (count > 0) {
                // One write for all the requests this read completed, as the Netty peer flushes once per read batch.
                if (responses.length != count * RequestFraming.RESPONSE.length) {
                    responses = RequestFraming.responses(count);
                }
                socket.write(responses, 0, responses.length);
            }
        }
    }
}
