package io.greenloop.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One server of {@link LatencyBenchmark}, in a JVM of its own so that the load generator's garbage and JIT work
 * land in another process: {@code LatencyServer http|echo greenloop|netty TRANSPORT MAX_SECONDS}. It prints
 * {@code PORT n} once it listens on 127.0.0.1:n, serves until its standard input ends (the benchmark exits or
 * closes it) or {@code MAX_SECONDS} have passed, then stops.
 *
 * <p>{@code http}: {@code HelloHttpServer}'s handler for greenloop, {@code NettyHelloServer}'s for Netty, both
 * framing with {@link RequestFraming}. {@code echo}: the echo servers of the socket benchmarks ({@link EchoPeers}).
 * Either way greenloop runs one loop thread and Netty one event loop thread.
 */
public final class LatencyServer {

    /** The request kinds a server can answer. */
    static final List<String> KINDS = List.of("http", "echo");

    private LatencyServer() {
    }

    /** Starts the server named by the arguments; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: LatencyServer http|echo greenloop|netty TRANSPORT MAX_SECONDS");
        }
        try (EchoPeers.Running server = start(args[0], args[1], args[2])) {
            System.out.println("PORT " + server.port());
            System.out.flush();
            Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // nothing is sent on stdin; it only tells us the benchmark is still there
                    }
                } catch (IOException e) {
                    // the pipe broke: the benchmark is gone, stop as at end of input
                }
            });
            watchdog.join(TimeUnit.SECONDS.toMillis(Long.parseLong(args[3])));
        }
        System.exit(0);  // Netty's and the loop's threads are done; do not wait for stray daemon-less threads
    }

    private static EchoPeers.Running start(String kind, String implementation, String transport) throws Exception {
        boolean http = switch (kind) {
            case "http" -> true;
            case "echo" -> false;
            default -> throw new IllegalArgumentException("no request kind \"" + kind + "\"; use one of " + KINDS);
        };
        return switch (implementation) {
            case "greenloop" -> http ? EchoPeers.greenloop(transport, HelloHttpServer::serve) : EchoPeers.greenloop(transport);
            case "netty" -> http ? EchoPeers.netty(transport, NettyHelloServer.HelloHandler::new) : EchoPeers.netty(transport);
            default -> throw new IllegalArgumentException("no server \"" + implementation + "\"; use greenloop or netty");
        };
    }
}
