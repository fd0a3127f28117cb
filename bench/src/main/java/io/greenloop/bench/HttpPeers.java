package io.greenloop.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers {@link HttpBenchmark} measures, by name, in the order its tables list them. A JVM peer is a main class
 * with {@link HttpHello}'s command line ({@code PORT LOOPS MAX_SECONDS}, printing {@code PORT n} once it listens);
 * a peer whose class is not on the class path is skipped with one line, so a server that is not built yet plugs in
 * by its line below. The C floor is the native {@code epoll_hello} (one thread, no JVM), given as a compiled binary.
 */
final class HttpPeers {

    /** The server the targets are about. */
    static final String SUBJECT = "greenloop-http";
    /** The peer the other ratios are to, and whose saturation sets the open-loop rates. */
    static final String REFERENCE = "netty-codec";
    /** The peer the throughput target asks 1.3x of. */
    static final String HELIDON = "helidon";

    /** Every peer, the subject first. */
    static final List<Peer> ALL = List.of(
            new Peer(SUBJECT, "io.greenloop.bench.GreenloopHttpHello"),
            new Peer(REFERENCE, NettyCodecHelloServer.class.getName()),
            new Peer(HELIDON, HelidonHelloServer.class.getName()),
            new Peer("jdk-httpserver", JdkHelloServer.class.getName()),
            new Peer(LatencyBenchmark.FLOOR, null));

    /** A peer: its name, and its main class, or null for the C floor. */
    record Peer(String name, String mainClass) {

        boolean isFloor() {
            return mainClass == null;
        }

        /** Why it cannot run here, as the one line the benchmark prints, or null when it can. */
        String skipReason(Path floor) {
            if (isFloor()) {
                return floor == null ? "skipped: " + name + " (no --floor=BINARY given; bench/run-http.sh compiles it from FLOOR_SOURCE)" : null;
            }
            try {
                Class.forName(mainClass, false, HttpPeers.class.getClassLoader());
                return null;
            } catch (ClassNotFoundException e) {
                return "skipped: " + name + " not built yet (no " + mainClass + " on the class path)";
            }
        }

        /**
         * Starts it with {@code loops} loops (the C floor has one), pinned to {@code cpus} (null: not pinned), stopping
         * by itself after {@code lifetimeSeconds}; returns once it listens. Rows name it {@code NAME xLOOPS}.
         */
        ServerProcess start(int loops, String cpus, long lifetimeSeconds, Path floor) throws IOException {
            String label = "x" + loops;
            if (isFloor()) {
                if (loops != 1) {
                    throw new IllegalArgumentException("the C floor has one thread; it has no " + loops + "-loop equivalent");
                }
                return LatencyBenchmark.startFloor(floor, label, cpus, lifetimeSeconds);
            }
            List<String> args = List.of("0", Integer.toString(loops), Long.toString(lifetimeSeconds));
            return ServerProcess.start(name, label,
                    ServerProcess.pinned(cpus, ServerProcess.javaCommand(LatencyBenchmark.JVM_FLAGS, mainClass, args)));
        }
    }

    private HttpPeers() {
    }

    /** The peers named in {@code only} (all when it is empty), in {@link #ALL}'s order; an unknown name is refused. */
    static List<Peer> selected(List<String> only) {
        for (String name : only) {
            if (ALL.stream().noneMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException("no HTTP peer \"" + name + "\"; the peers are "
                        + ALL.stream().map(Peer::name).toList());
            }
        }
        List<Peer> peers = new ArrayList<>();
        for (Peer peer : ALL) {
            if (only.isEmpty() || only.contains(peer.name())) {
                peers.add(peer);
            }
        }
        return peers;
    }
}
