package io.greenloop.bench;

import io.greenloop.IdleStrategy;
import io.greenloop.Loop;
import io.greenloop.net.StreamServer;
import io.netty.channel.ChannelHandler;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One server of {@link LatencyBenchmark}, in a JVM of its own so that the load generator's garbage and JIT work
 * land in another process: {@code LatencyServer http|echo IMPLEMENTATION TRANSPORT MAX_SECONDS}. It prints
 * {@code PORT n} once it listens on 127.0.0.1:n, serves until its standard input ends (the benchmark exits or
 * closes it) or {@code MAX_SECONDS} have passed, then stops.
 *
 * <p>{@code http}: {@code HelloHttpServer}'s handler for greenloop, {@code NettyHelloServer}'s for Netty, both
 * framing with {@link RequestFraming}. {@code echo}: the echo servers of the socket benchmarks ({@link EchoPeers}).
 * Either way greenloop runs one loop thread and Netty one event loop thread. The implementations
 * ({@link #IMPLEMENTATIONS}): {@code greenloop} (idle strategy block, the default), {@code greenloop-spin},
 * {@code greenloop-backoff} ({@link #BACKOFF}), {@code netty} (its default select strategy), and
 * {@code netty-busywait} (epoll only: {@link NettyPeers#oneBusyWaitThread()}).
 */
public final class LatencyServer {

    /** The request kinds a server can answer. */
    static final List<String> KINDS = List.of("http", "echo");
    /** The servers there are: greenloop under each idle strategy, Netty with each select strategy. */
    static final List<String> IMPLEMENTATIONS = List.of("greenloop", "greenloop-spin", "greenloop-backoff", "netty",
            "netty-busywait");
    /**
     * {@code greenloop-backoff}'s strategy: about 200 non-blocking polls (a few hundred ns each on epoll, so some
     * 60-100 us of spinning), 20 yields, then the blocking poll; a lull shorter than that is answered as a spinning
     * loop answers it, a longer one costs a wake-up as a blocking loop's does.
     */
    static final IdleStrategy BACKOFF = IdleStrategy.backoff(200, 20);

    private LatencyServer() {
    }

    /** Starts the server named by the arguments; see the class comment. */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: LatencyServer http|echo " + String.join("|", IMPLEMENTATIONS)
                    + " TRANSPORT MAX_SECONDS");
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
        StreamServer.Handler greenloop = http ? HelloHttpServer::serve : EchoPeers::echo;
        Supplier<ChannelHandler> netty = http ? NettyHelloServer.HelloHandler::new : () -> EchoPeers.NettyEchoHandler.INSTANCE;
        return switch (implementation) {
            case "greenloop", "greenloop-spin", "greenloop-backoff" -> EchoPeers.greenloop(
                    Loop.Options.defaults().withTransport(transport).withIdleStrategy(idleStrategy(implementation)), greenloop);
            case "netty" -> EchoPeers.netty(transport, netty);
            case "netty-busywait" -> {
                if (!transport.equals("epoll")) {
                    throw new IllegalArgumentException("netty-busywait is Netty's epoll busy-wait select strategy; run it on"
                            + " epoll, not " + transport);
                }
                yield EchoPeers.netty(NettyPeers.oneBusyWaitThread(), transport, netty);
            }
            default -> throw new IllegalArgumentException("no server \"" + implementation + "\"; use one of " + IMPLEMENTATIONS);
        };
    }

    /** The idle strategy of a greenloop implementation: block for {@code greenloop}. */
    static IdleStrategy idleStrategy(String implementation) {
        return switch (implementation) {
            case "greenloop-spin" -> IdleStrategy.spin();
            case "greenloop-backoff" -> BACKOFF;
            default -> IdleStrategy.block();
        };
    }

    /** Whether the implementation spins when idle, and so holds its CPU even while another server is measured. */
    static boolean spins(String implementation) {
        return implementation.equals("greenloop-spin") || implementation.equals("netty-busywait");
    }
}
