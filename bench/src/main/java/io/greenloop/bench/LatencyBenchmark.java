package io.greenloop.bench;

import io.greenloop.Loop;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The open-loop latency benchmark: greenloop's {@code StreamServer} and Netty (one event loop thread), each in a
 * JVM of its own ({@link LatencyServer}), doing the same work, driven by one {@link OpenLoopClient} thread at
 * fixed rates; prints p50, p99, p99.9 and max per server and the greenloop / Netty ratios as markdown.
 *
 * <p>Per request kind: start every server, warm each up closed-loop, find the saturation rate (closed loop, 64
 * connections, against Netty on the first transport), then for each connection count and each rate (a fraction
 * of saturation, or absolute rates given with {@code --rates}) measure each server in turn, greenloop and Netty
 * on the same transport back to back (their order swapped every other row), so drift hits both alike. With
 * {@code --rounds=N} every such pair is measured N times (see {@link #measureConnections}) and the table gives the
 * median ratio over the rounds with its range, and a verdict on the target ({@link LatencyTable}).
 * {@code --floor=BINARY} adds the C floor ({@code epoll_hello}, one thread, edge-triggered epoll) to the http rows
 * on epoll, measured beside greenloop and Netty, with greenloop / floor ratios.
 *
 * <p>The {@code lowlatency} profile (issue 25) measures greenloop under each idle strategy beside Netty's default and
 * busy-wait select strategies ({@code --implementations}, names as {@link LatencyServer#IMPLEMENTATIONS}), at
 * absolute rates and at a fraction of saturation together, with the servers pinned to {@code --server-cpus} (the
 * runner pins this JVM, the load generator, to others). A server that spins when idle is frozen
 * ({@link ServerProcess#pause()}) while it is not the one measured, so that it leaves the server CPU to the others.
 *
 * <p>Usage: {@code LatencyBenchmark [default|quick|claims|lowlatency] [--kinds=http,echo] [--transports=epoll,nio]
 * [--implementations=greenloop,netty,...] [--connections=64,1000] [--fractions=25,50,75,90] [--rates=10000,20000]
 * [--warmup=S] [--seconds=S] [--rounds=N] [--server-flags="JVM FLAGS"] [--server-cpus=1] [--client-cpus=0]
 * [--floor=BINARY] [--out=FILE]}; {@code bench/run-latency.sh} runs it. {@code --rates} alone replaces the
 * profile's fractions; with {@code --fractions} too, both are measured.
 */
public final class LatencyBenchmark {

    /**
     * A matrix and its timings: absolute {@code rates} and {@code fractions} of the measured saturation rate, either
     * list may be empty; {@code serverCpus} and {@code clientCpus} are {@code taskset -c} lists or null (unpinned).
     */
    record Settings(String profile, List<String> kinds, List<String> transports, List<String> implementations,
                    List<Integer> connections, List<Double> fractions, List<Double> rates, double warmupSeconds,
                    double measureSeconds, int rounds, double serverWarmupSeconds, List<String> serverFlags,
                    String serverCpus, String clientCpus, Path floor, Path out) {

        Timing timing() {
            return new Timing(rounds, warmupSeconds, measureSeconds, serverWarmupSeconds);
        }

        static Settings of(String profile) {
            List<String> pair = List.of("greenloop", "netty");
            return switch (profile) {
                // ~3-4 minutes on 2 cores: http on every transport pair, echo on the best pair.
                case "default" -> new Settings(profile, LatencyServer.KINDS, List.of(), pair, List.of(64, 1000),
                        List.of(0.25, 0.50, 0.75, 0.90), List.of(), 1, 2, 1, 2, List.of(), null, null, null, null);
                // ~30 s: a smoke run, not for claims.
                case "quick" -> new Settings(profile, List.of("http"), List.of(), pair, List.of(64, 1000),
                        List.of(0.50, 0.90), List.of(), 0.5, 1.5, 1, 1, List.of(), null, null, null, null);
                // ~9 minutes on 2 cores (120 rows of 4 s): the rates the target names, 5 rounds so that the median
                // shrugs off one or two disturbed rounds and the range shows whether a ratio is clear of 1.00.
                case "claims" -> new Settings(profile, List.of("http"), List.of(), pair, List.of(64, 1000),
                        List.of(0.25, 0.50, 0.75), List.of(), 1, 3, 5, 2, List.of(), null, null, null, null);
                // Issue 25's matrix, ~25 minutes on 2 cores (440 rows of 3 s with the C floor, 5 rounds for claims): echo and http, 1
                // and 64 connections, 1k/5k/25k req/s and half of saturation, every idle and select strategy, on
                // epoll (Netty's busy wait is epoll's). bench/run-latency.sh pins servers and generator apart.
                case "lowlatency" -> new Settings(profile, LatencyServer.KINDS, List.of("epoll"), LatencyServer.IMPLEMENTATIONS,
                        List.of(1, 64), List.of(0.50), List.of(1_000.0, 5_000.0, 25_000.0), 1, 2, 5, 2, List.of(),
                        null, null, null, null);
                default -> throw new IllegalArgumentException("no profile \"" + profile + "\"; use default, quick, claims or lowlatency");
            };
        }
    }

    /** How long rows take and how often they repeat: the part of a matrix's settings that measuring needs. */
    record Timing(int rounds, double warmupSeconds, double measureSeconds, double serverWarmupSeconds) { }

    /** One measured row; {@code round} counts from 1. */
    record Row(String kind, int connections, double rate, double fraction, String implementation, String transport,
               int round, OpenLoopClient.Result result, double serverCpuMicrosPerRequest) { }

    /** The C floor's name in rows and tables. */
    static final String FLOOR = "c-floor";
    /** The closed-loop connection count that defines saturation. */
    static final int SATURATION_CONNECTIONS = 64;
    /** Every server stops by itself after this long even if this JVM is killed without closing its stdin. */
    private static final long SERVER_LIFETIME_SECONDS = 1800;
    /** The servers' JVM flags: the heap is fixed, so that resizing does not land inside a row. */
    static final List<String> JVM_FLAGS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m");
    private static final byte[] ECHO_MESSAGE = new byte[64];
    /** For the duration estimate: a server JVM's start until it listens, on 2 busy cores. */
    private static final double SERVER_START_SECONDS = 1;
    /** For the duration estimate: a row's drain and scheduling beyond its warm-up and measurement. */
    private static final double ROW_OVERHEAD_SECONDS = 0.1;
    /** For the duration estimate: the pause that ends {@link OpenLoopClient#closedLoop} (a quarter of its drain limit). */
    private static final double CLOSED_LOOP_PAUSE_SECONDS = 0.5;

    private LatencyBenchmark() {
    }

    /** Runs the matrix the arguments name; see the class comment. */
    public static void main(String[] args) throws Exception {
        Settings settings = parse(args);
        StringBuilder notes = new StringBuilder();
        List<Row> rows = run(settings, notes);
        String table = LatencyTable.render(settings, rows, notes.toString());
        CommandLine.report(table, settings.out());
    }

    /** Measures every row of the matrix, in the order measured; appends the saturation notes to {@code notes}. */
    static List<Row> run(Settings settings, StringBuilder notes) throws Exception {
        Map<String, List<String>> transports = new LinkedHashMap<>();
        settings.kinds().forEach(kind -> transports.put(kind, transports(settings, kind)));
        double estimate = estimatedSeconds(settings, transports);
        System.out.printf(Locale.ROOT, "# profile %s, %d round%s: about %.1f min (%.0f s) on an idle machine%n",
                settings.profile(), settings.rounds(), settings.rounds() == 1 ? "" : "s", estimate / 60, estimate);
        List<Row> rows = new ArrayList<>();
        MultiThreadIoEventLoopGroup clientLoop = NettyPeers.oneThread(NettyPeers.available().getFirst());
        try {
            for (String kind : settings.kinds()) {
                runKind(settings, kind, transports.get(kind), clientLoop, rows, notes);
            }
        } finally {
            NettyPeers.shutdown(clientLoop);
        }
        return rows;
    }

    /**
     * How long {@link #run} should take: the rows, plus per server a JVM start and its closed-loop warm-up, plus the
     * saturation run. Rows overrun by their drain and scheduling, which the per-row allowance covers on an idle
     * machine, not on a loaded one.
     */
    static double estimatedSeconds(Settings settings, Map<String, List<String>> transports) {
        double perRow = settings.warmupSeconds() + settings.measureSeconds() + ROW_OVERHEAD_SECONDS;
        double closedLoop = settings.serverWarmupSeconds() + CLOSED_LOOP_PAUSE_SECONDS;
        double total = 0;
        for (Map.Entry<String, List<String>> kind : transports.entrySet()) {
            boolean floor = settings.floor() != null && kind.getKey().equals("http") && kind.getValue().contains("epoll");
            int servers = settings.implementations().size() * kind.getValue().size() + (floor ? 1 : 0);
            if (servers == 0) {
                continue;
            }
            int rates = settings.rates().size() + settings.fractions().size();
            total += servers * (SERVER_START_SECONDS + closedLoop) + (settings.fractions().isEmpty() ? 0 : closedLoop);
            total += (double) servers * settings.connections().size() * rates * settings.rounds() * perRow;
        }
        return total;
    }

    static Settings parse(String[] args) {
        CommandLine command = CommandLine.parse(args, "default", "[default|quick|claims|lowlatency] --name=value ...");
        Settings s = Settings.of(command.profile());
        List<String> kinds = s.kinds();
        List<String> transports = s.transports();
        List<String> implementations = s.implementations();
        List<Integer> connections = s.connections();
        List<Double> fractions = s.fractions();
        List<Double> rates = s.rates();
        double warmup = s.warmupSeconds();
        double seconds = s.measureSeconds();
        int rounds = s.rounds();
        List<String> serverFlags = s.serverFlags();
        String serverCpus = s.serverCpus();
        String clientCpus = s.clientCpus();
        Path floor = s.floor();
        Path out = s.out();
        for (Map.Entry<String, String> option : command.options().entrySet()) {
            String value = option.getValue();
            switch (option.getKey()) {
                case "kinds" -> kinds = List.of(value.split(","));
                case "transports" -> transports = List.of(value.split(","));
                case "implementations" -> implementations = implementations(value);
                case "connections" -> connections = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
                case "fractions" -> fractions = Arrays.stream(value.split(",")).map(v -> Double.parseDouble(v) / 100).toList();
                case "rates" -> rates = Arrays.stream(value.split(",")).map(Double::valueOf).toList();
                case "warmup" -> warmup = Double.parseDouble(value);
                case "seconds" -> seconds = Double.parseDouble(value);
                case "rounds" -> rounds = rounds(value);
                case "server-flags" -> serverFlags = value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
                case "server-cpus" -> serverCpus = HttpBenchmark.cpuList(value);
                case "client-cpus" -> clientCpus = HttpBenchmark.cpuList(value);
                case "floor" -> floor = existingFile(value);
                case "out" -> out = Path.of(value);
                default -> throw CommandLine.unknown(option, "LatencyBenchmark");
            }
        }
        if (command.options().containsKey("rates") && !command.options().containsKey("fractions")) {
            fractions = List.of();  // absolute rates alone, as asked
        }
        return new Settings(s.profile(), kinds, transports, implementations, connections, fractions, rates, warmup, seconds,
                rounds, s.serverWarmupSeconds(), serverFlags, serverCpus, clientCpus, floor, out);
    }

    /** The servers asked for, each one of {@link LatencyServer#IMPLEMENTATIONS}. */
    private static List<String> implementations(String value) {
        List<String> names = List.of(value.split(","));
        for (String name : names) {
            if (!LatencyServer.IMPLEMENTATIONS.contains(name)) {
                throw new IllegalArgumentException("--implementations: no server \"" + name + "\"; use some of "
                        + LatencyServer.IMPLEMENTATIONS);
            }
        }
        return names;
    }

    /** The C floor's binary, which must exist: bench/run-latency.sh compiles it and passes its path. */
    static Path existingFile(String path) {
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--floor=" + path + ": no such file; give the compiled C floor "
                    + "(bench/run-latency.sh compiles it from FLOOR_SOURCE)");
        }
        return file;
    }

    private static int rounds(String value) {
        int rounds = Integer.parseInt(value);
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds=" + value + ": give 1 or more rounds (5 or more for claims)");
        }
        return rounds;
    }

    /** The transports both greenloop and Netty have here, in the order asked (default: epoll then nio). */
    static List<String> transports(Settings settings, String kind) {
        List<String> greenloop = Loop.availableTransports();
        List<String> netty = NettyPeers.available();
        List<String> both = new ArrayList<>();
        for (String t : settings.transports().isEmpty() ? List.of("epoll", "nio") : settings.transports()) {
            if (greenloop.contains(t) && netty.contains(t)) {
                both.add(t);
            } else {
                System.out.println("# " + t + " skipped: greenloop has " + greenloop + ", Netty has " + netty);
            }
        }
        boolean bestPairOnly = settings.transports().isEmpty() && (kind.equals("echo") || settings.profile().equals("quick"));
        return bestPairOnly && !both.isEmpty() ? both.subList(0, 1) : both;
    }

    private static void runKind(Settings settings, String kind, List<String> transports, MultiThreadIoEventLoopGroup clientLoop,
                                List<Row> rows, StringBuilder notes) throws Exception {
        byte[] request = kind.equals("http") ? RequestFraming.REQUEST : ECHO_MESSAGE;
        int answerBytes = kind.equals("http") ? RequestFraming.RESPONSE.length : ECHO_MESSAGE.length;
        Clients clients = new Clients(clientLoop, NettyPeers.available().getFirst(), request, server -> answerBytes);
        List<List<ServerProcess>> groups = new ArrayList<>();
        try {
            startServers(settings, kind, transports, groups);
            if (groups.isEmpty()) {
                return;
            }
            List<ServerProcess> servers = groups.stream().flatMap(List::stream).toList();
            double saturation = warmUp(settings.timing(), kind, servers,
                    settings.fractions().isEmpty() ? null : saturationReference(groups.getFirst()), clients, notes);
            List<Double> rates = new ArrayList<>();
            List<Double> fractions = new ArrayList<>();
            for (double rate : settings.rates()) {
                rates.add(rate);
                fractions.add(saturation > 0 ? rate / saturation : Double.NaN);
            }
            for (double f : settings.fractions()) {
                rates.add(Math.rint(f * saturation));
                fractions.add(f);
            }
            for (int connections : settings.connections()) {
                measureConnections(settings.timing(), kind, connections, rates, fractions, groups, clients, rows);
            }
        } finally {
            groups.forEach(group -> group.forEach(ServerProcess::close));
        }
    }

    /** The server whose saturation defines the fractions: Netty with its default strategy, else the group's first. */
    private static ServerProcess saturationReference(List<ServerProcess> group) {
        return group.stream().filter(server -> server.implementation().equals("netty")).findFirst().orElse(group.getFirst());
    }

    /**
     * One group per transport: each implementation on it, and for http on epoll the C floor when one was given (it is
     * an epoll server); groups are added as they start, so that the caller closes what started if a later one fails.
     * A server that spins when idle is paused as soon as it listens ({@link #measuring}).
     */
    private static void startServers(Settings settings, String kind, List<String> transports, List<List<ServerProcess>> groups)
            throws IOException {
        for (String transport : transports) {
            List<ServerProcess> group = new ArrayList<>();
            groups.add(group);
            for (String implementation : settings.implementations()) {
                ServerProcess server = startServer(settings, kind, implementation, transport);
                group.add(server);
                if (LatencyServer.spins(implementation)) {
                    server.pause();
                }
            }
            if (kind.equals("http") && transport.equals("epoll") && settings.floor() != null) {
                group.add(startFloor(settings.floor(), "epoll", settings.serverCpus(), SERVER_LIFETIME_SECONDS));
            }
        }
        if (kind.equals("http") && settings.floor() != null && !transports.contains("epoll")) {
            System.out.println("# C floor skipped: it is an epoll server, and epoll is not among " + transports);
        }
    }

    private static ServerProcess startServer(Settings settings, String kind, String implementation, String transport) throws IOException {
        List<String> flags = new ArrayList<>(JVM_FLAGS);
        flags.addAll(settings.serverFlags());
        return ServerProcess.start(implementation, transport, ServerProcess.pinned(settings.serverCpus(),
                ServerProcess.javaCommand(flags, LatencyServer.class.getName(),
                        List.of(kind, implementation, transport, Long.toString(SERVER_LIFETIME_SECONDS)))));
    }

    /** What a server is measured by: a warm-up, a row. */
    @FunctionalInterface
    interface Measurement<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code measurement} of {@code server} with it thawed, if it spins when idle, and frozen again after, so
     * that a spinning server holds the server CPU only while it is the one measured.
     */
    static <T> T measuring(ServerProcess server, Measurement<T> measurement) throws Exception {
        boolean spins = LatencyServer.spins(server.implementation());
        if (spins) {
            server.resume();
        }
        try {
            return measurement.run();
        } finally {
            if (spins) {
                server.pause();
            }
        }
    }

    /**
     * The C floor ({@code epoll_hello}) labelled {@code transport} in rows, pinned to {@code cpus} (null: not pinned), stopped by {@code timeout} after
     * {@code lifetimeSeconds} even if this JVM is killed; checked to answer with {@link RequestFraming#RESPONSE}'s
     * length, as {@link OpenLoopClient} counts answers by size.
     */
    static ServerProcess startFloor(Path binary, String transport, String cpus, long lifetimeSeconds) throws IOException {
        ServerProcess floor = ServerProcess.startNative(FLOOR, transport, ServerProcess.pinned(cpus,
                List.of("timeout", Long.toString(lifetimeSeconds), binary.toAbsolutePath().toString())));
        int answer = HttpProbe.responses(floor.port(), 1).getFirst().length;
        if (answer != RequestFraming.RESPONSE.length) {
            floor.close();
            throw new IOException("the C floor " + binary + " answers " + answer + " bytes where the hello servers answer "
                    + RequestFraming.RESPONSE.length + ": the load generator counts answers by size; give it the same response");
        }
        return floor;
    }

    /** How each server of a matrix is driven: the client's loop and transport, the request, each server's answer size. */
    record Clients(MultiThreadIoEventLoopGroup loop, String transport, byte[] request, ToIntFunction<ServerProcess> answerBytes) {

        OpenLoopClient open(ServerProcess server, int connections) throws InterruptedException {
            return new OpenLoopClient(loop, transport, server.port(), connections, request, answerBytes.applyAsInt(server));
        }
    }

    /**
     * Warms every server up closed-loop ({@link #SATURATION_CONNECTIONS} connections), and returns the saturation
     * rate measured closed-loop against {@code reference} right after its warm-up (0 when it is null).
     */
    static double warmUp(Timing timing, String kind, List<ServerProcess> servers, ServerProcess reference, Clients clients,
                         StringBuilder notes) throws Exception {
        double saturation = 0;
        for (ServerProcess server : servers) {
            try (OpenLoopClient warm = clients.open(server, SATURATION_CONNECTIONS)) {
                measuring(server, () -> warm.closedLoop(seconds(timing.serverWarmupSeconds())));
                if (server == reference) {
                    saturation = measuring(server, () -> warm.closedLoop(seconds(timing.serverWarmupSeconds())));
                    String note = String.format(Locale.ROOT, "%s: saturation %,.0f req/s (closed loop, %d connections, against %s)",
                            kind, saturation, SATURATION_CONNECTIONS, server.name());
                    System.out.println("# " + note);
                    notes.append("- ").append(note).append('\n');
                }
            }
        }
        return saturation;
    }

    /**
     * Measures every rate and group at one connection count, {@code rounds} times. Rounds go outside the rates (round
     * 1 at every rate, then round 2, ...) rather than back to back per rate: a disturbance on the shared machine that
     * lasts a minute then lands in one round of several pairs, which each pair's median discards, instead of in every
     * round of one pair, which no median can. Within a group (greenloop and Netty on one transport, with the C floor
     * beside them on epoll; every peer of {@link HttpBenchmark}) the servers run back to back, and the one that goes
     * first rotates from rate to rate and from round to round, so each order comes round equally often.
     */
    static void measureConnections(Timing timing, String kind, int connections, List<Double> rates, List<Double> fractions,
                                   List<List<ServerProcess>> groups, Clients clients, List<Row> rows) throws Exception {
        Map<ServerProcess, OpenLoopClient> open = new LinkedHashMap<>();
        try {
            for (List<ServerProcess> group : groups) {
                for (ServerProcess server : group) {
                    open.put(server, clients.open(server, connections));
                }
            }
            for (int round = 0; round < timing.rounds(); round++) {
                for (int r = 0; r < rates.size(); r++) {
                    for (List<ServerProcess> group : groups) {
                        for (int k = 0; k < group.size(); k++) {
                            ServerProcess server = group.get((r + round + k) % group.size());
                            Row row = measureRow(timing, kind, connections, rates.get(r), fractions.get(r), round + 1,
                                    server, open.get(server));
                            System.out.println("# " + LatencyTable.progressLine(row, timing.rounds()));
                            rows.add(row);
                        }
                    }
                }
            }
        } finally {
            open.values().forEach(OpenLoopClient::close);
        }
    }

    private static Row measureRow(Timing timing, String kind, int connections, double rate, double fraction, int round,
                                  ServerProcess server, OpenLoopClient client) throws Exception {
        long cpuBefore = server.cpuNanos();
        OpenLoopClient.Result result = measuring(server,
                () -> client.openLoop(rate, seconds(timing.warmupSeconds()), seconds(timing.measureSeconds())));
        // Over the whole row: warm-up and measured requests alike, as the server cannot tell them apart.
        double requests = rate * (timing.warmupSeconds() + timing.measureSeconds());
        double cpuMicros = (server.cpuNanos() - cpuBefore) / 1e3 / requests;
        return new Row(kind, connections, rate, fraction, server.implementation(), server.transport(), round, result,
                cpuBefore < 0 ? Double.NaN : cpuMicros);
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
