package io.greenloop.bench;

import io.greenloop.LoopGroup;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * {@link HelloHttpServer}'s connection handler on a {@link LoopGroup}: one loop per thread, connections
 * spread over them ({@code SO_REUSEPORT} listeners on epoll, one acceptor elsewhere).
 *
 * <p>Usage: {@code HelloGroupServer port loops [transport [seconds]]}: without {@code seconds} it serves
 * until killed. Measure it with {@code wrk -t2 -c64 -d5s http://127.0.0.1:PORT/} (see {@code run-wrk.sh}).
 */
public final class HelloGroupServer {

    private HelloGroupServer() {
    }

    /** Serves until killed, or for the number of seconds given as the fourth argument. */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: HelloGroupServer PORT LOOPS [transport [seconds]]");
        }
        int port = Integer.parseInt(args[0]);
        int loops = Integer.parseInt(args[1]);
        try (LoopGroup group = LoopGroup.start(loops, args.length > 2 ? args[2] : null)) {
            InetSocketAddress address = group.serve(new InetSocketAddress("127.0.0.1", port), HelloHttpServer::serve);
            System.out.println("hello server on http://127.0.0.1:" + address.getPort() + "/ (" + group.size() + " loops, "
                    + group.loops().getFirst().transport() + " transport)");
            Thread.sleep(args.length > 3 ? Long.parseLong(args[3]) * 1000 : Long.MAX_VALUE);
        }
    }
}
