package io.greenloop.bench;

import io.greenloop.Loop;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
 *
 * <p>Usage: {@code LatencyBenchmark [default|quick|claims] [--kinds=http,echo] [--transports=epoll,nio]
 * [--connections=64,1000] [--fractions=25,50,75,90 | --rates=10000,20000] [--warmup=S] [--seconds=S]
 * [--rounds=N] [--server-flags="JVM FLAGS"] [--out=FILE]}; {@code bench/run-latency.sh} runs it.
 */
public final class LatencyBenchmark {

    /** A matrix and its timings; {@code rates} empty means fractions of the measured saturation rate. */
    record Settings(String profile, List<String> kinds, List<String> transports, List<Integer> connections,
                    List<Double> fractions, List<Double> rates, double warmupSeconds, double measureSeconds,
                    int rounds, double serverWarmupSeconds, List<String> serverFlags, Path out) {

        static Settings of(String profile) {
            return switch (profile) {
                // ~3-4 minutes on 2 cores: http on every transport pair, echo on the best pair.
                case "default" -> new Settings(profile, LatencyServer.KINDS, List.of(), List.of(64, 1000),
                        List.of(0.25, 0.50, 0.75, 0.90), List.of(), 1, 2, 1, 2, List.of(), null);
                // ~30 s: a smoke run, not for claims.
                case "quick" -> new Settings(profile, List.of("http"), List.of(), List.of(64, 1000),
                        List.of(0.50, 0.90), List.of(), 0.5, 1.5, 1, 1, List.of(), null);
                // ~9 minutes on 2 cores (120 rows of 4 s): the rates the target names, 5 rounds so that the median
                // shrugs off one or two disturbed rounds and the range shows whether a ratio is clear of 1.00.
                case "claims" -> new Settings(profile, List.of("http"), List.of(), List.of(64, 1000),
                        List.of(0.25, 0.50, 0.75), List.of(), 1, 3, 5, 2, List.of(), null);
                default -> throw new IllegalArgumentException("no profile \"" + profile + "\"; use default, quick or claims");
            };
        }
    }

    /** One measured row; {@code round} counts from 1. */
    record Row(String kind, int connections, double rate, double fraction, String implementation, String transport,
               int round, OpenLoopClient.Result result, double serverCpuMicrosPerRequest) { }

    /** The closed-loop connection count that defines saturation. */
    static final int SATURATION_CONNECTIONS = 64;
    /** Every server stops by itself after this long even if this JVM is killed without closing its stdin. */
    private static final long SERVER_LIFETIME_SECONDS = 1800;
    private static final List<String> JVM_FLAGS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
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
        System.out.println();
        System.out.println(table);
        if (settings.out() != null) {
            Files.createDirectories(settings.out().toAbsolutePath().getParent());
            Files.writeString(settings.out(), table);
            System.out.println("(also written to " + settings.out() + ")");
        }
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
        for (List<String> kindTransports : transports.values()) {
            int servers = 2 * kindTransports.size();
            if (servers == 0) {
                continue;
            }
            int rates = settings.rates().isEmpty() ? settings.fractions().size() : settings.rates().size();
            total += servers * (SERVER_START_SECONDS + closedLoop) + (settings.rates().isEmpty() ? closedLoop : 0);
            total += (double) servers * settings.connections().size() * rates * settings.rounds() * perRow;
        }
        return total;
    }

    static Settings parse(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        Settings s = Settings.of(!rest.isEmpty() && !rest.getFirst().startsWith("--") ? rest.removeFirst() : "default");
        List<String> kinds = s.kinds();
        List<String> transports = s.transports();
        List<Integer> connections = s.connections();
        List<Double> fractions = s.fractions();
        List<Double> rates = s.rates();
        double warmup = s.warmupSeconds();
        double seconds = s.measureSeconds();
        int rounds = s.rounds();
        List<String> serverFlags = s.serverFlags();
        Path out = s.out();
        for (String arg : rest) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unknown argument \"" + arg + "\"; arguments are [default|quick] --name=value ...");
            }
            String value = arg.substring(eq + 1);
            switch (arg.substring(2, eq)) {
                case "kinds" -> kinds = List.of(value.split(","));
                case "transports" -> transports = List.of(value.split(","));
                case "connections" -> connections = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
                case "fractions" -> fractions = Arrays.stream(value.split(",")).map(v -> Double.parseDouble(v) / 100).toList();
                case "rates" -> rates = Arrays.stream(value.split(",")).map(Double::valueOf).toList();
                case "warmup" -> warmup = Double.parseDouble(value);
                case "seconds" -> seconds = Double.parseDouble(value);
                case "rounds" -> rounds = rounds(value);
                case "server-flags" -> serverFlags = value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
                case "out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option \"" + arg + "\"; see LatencyBenchmark's usage");
            }
        }
        return new Settings(s.profile(), kinds, transports, connections, fractions, rates, warmup, seconds, rounds,
                s.serverWarmupSeconds(), serverFlags, out);
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
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (String transport : transports) {
                servers.add(ServerProcess.start(kind, "greenloop", transport, settings.serverFlags()));
                servers.add(ServerProcess.start(kind, "netty", transport, settings.serverFlags()));
            }
            if (servers.isEmpty()) {
                return;
            }
            String clientTransport = NettyPeers.available().getFirst();
            double saturation = 0;
            for (ServerProcess server : servers) {
                try (OpenLoopClient warm = new OpenLoopClient(clientLoop, clientTransport, server.port(), SATURATION_CONNECTIONS, request, answerBytes)) {
                    warm.closedLoop(seconds(settings.serverWarmupSeconds()));
                    // servers.get(1) is Netty on the first transport: the saturation reference.
                    if (settings.rates().isEmpty() && server == servers.get(1)) {
                        saturation = warm.closedLoop(seconds(settings.serverWarmupSeconds()));
                        String note = String.format(Locale.ROOT, "%s: saturation %,.0f req/s (closed loop, %d connections, against %s)",
                                kind, saturation, SATURATION_CONNECTIONS, server.name());
                        System.out.println("# " + note);
                        notes.append("- ").append(note).append('\n');
                    }
                }
            }
            List<Double> rates = new ArrayList<>();
            List<Double> fractions = new ArrayList<>();
            if (settings.rates().isEmpty()) {
                for (double f : settings.fractions()) {
                    rates.add(Math.rint(f * saturation));
                    fractions.add(f);
                }
            } else {
                rates.addAll(settings.rates());
                settings.rates().forEach(r -> fractions.add(Double.NaN));
            }
            for (int connections : settings.connections()) {
                measureConnections(settings, kind, connections, rates, fractions, servers, clientLoop, clientTransport,
                        request, answerBytes, rows);
            }
        } finally {
            servers.forEach(ServerProcess::close);
        }
    }

    /**
     * Measures every rate and transport pair at one connection count, {@code rounds} times. Rounds go outside the
     * rates (round 1 at every rate, then round 2, ...) rather than back to back per rate: a disturbance on the
     * shared machine that lasts a minute then lands in one round of several pairs, which each pair's median
     * discards, instead of in every round of one pair, which no median can. Within a pair greenloop and Netty run
     * back to back, and the one that goes first alternates from rate to rate (as with one round) and from round
     * to round, so each pair has each order in half its rounds (one more for an odd count).
     */
    private static void measureConnections(Settings settings, String kind, int connections, List<Double> rates,
                                           List<Double> fractions, List<ServerProcess> servers,
                                           MultiThreadIoEventLoopGroup clientLoop, String clientTransport,
                                           byte[] request, int answerBytes, List<Row> rows) throws Exception {
        List<OpenLoopClient> clients = new ArrayList<>();
        try {
            for (ServerProcess server : servers) {
                clients.add(new OpenLoopClient(clientLoop, clientTransport, server.port(), connections, request, answerBytes));
            }
            for (int round = 0; round < settings.rounds(); round++) {
                for (int r = 0; r < rates.size(); r++) {
                    for (int pair = 0; pair < servers.size(); pair += 2) {
                        boolean greenloopFirst = (r + round) % 2 == 0;
                        for (int k = 0; k < 2; k++) {
                            int i = pair + (greenloopFirst ? k : 1 - k);
                            Row row = measureRow(settings, kind, connections, rates.get(r), fractions.get(r), round + 1,
                                    servers.get(i), clients.get(i));
                            System.out.println("# " + LatencyTable.progressLine(row, settings.rounds()));
                            rows.add(row);
                        }
                    }
                }
            }
        } finally {
            clients.forEach(OpenLoopClient::close);
        }
    }

    private static Row measureRow(Settings settings, String kind, int connections, double rate, double fraction, int round,
                                  ServerProcess server, OpenLoopClient client) throws Exception {
        long cpuBefore = server.cpuNanos();
        OpenLoopClient.Result result = client.openLoop(rate, seconds(settings.warmupSeconds()), seconds(settings.measureSeconds()));
        // Over the whole row: warm-up and measured requests alike, as the server cannot tell them apart.
        double requests = rate * (settings.warmupSeconds() + settings.measureSeconds());
        double cpuMicros = (server.cpuNanos() - cpuBefore) / 1e3 / requests;
        return new Row(kind, connections, rate, fraction, server.implementation(), server.transport(), round, result,
                cpuBefore < 0 ? Double.NaN : cpuMicros);
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    /** A server in a child JVM; closing its stdin stops it. */
    record ServerProcess(String implementation, String transport, Process process, int port) implements AutoCloseable {

        static ServerProcess start(String kind, String implementation, String transport, List<String> serverFlags) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM_FLAGS);
            command.addAll(serverFlags);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), LatencyServer.class.getName(),
                    kind, implementation, transport, Long.toString(SERVER_LIFETIME_SECONDS)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ")) {
                    System.out.println("# " + kind + " server " + implementation + " " + transport + ": pid " + process.pid());
                    return new ServerProcess(implementation, transport, process, Integer.parseInt(line.substring(5).trim()));
                }
            }
            process.destroyForcibly();
            throw new IOException("the " + implementation + " " + transport + " server exited before it listened (its errors are above)");
        }

        String name() {
            return implementation + " " + transport;
        }

        /**
         * The server's CPU time so far (user + system, every thread) from {@code /proc/PID/stat}, in nanoseconds
         * at its 10 ms resolution (USER_HZ is 100 on Linux); -1 where there is no {@code /proc}.
         */
        long cpuNanos() {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
                // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }
}
