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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The open-loop latency benchmark: greenloop's {@code StreamServer} and Netty (one event loop thread), each in a
 * JVM of its own ({@link LatencyServer}), doing the same work, driven by one {@link OpenLoopClient} thread at
 * fixed rates; prints p50, p99, p99.9 and max per server and the greenloop / Netty ratios as markdown.
 *
 * <p>Per request kind: start every server, warm each up closed-loop, find the saturation rate (closed loop, 64
 * connections, against Netty on the first transport), then for each connection count and each rate (a fraction
 * of saturation, or absolute rates given with {@code --rates}) measure each server in turn, greenloop and Netty
 * on the same transport back to back (their order swapped every other row), so drift hits both alike.
 *
 * <p>Usage: {@code LatencyBenchmark [default|quick] [--kinds=http,echo] [--transports=epoll,nio]
 * [--connections=64,1000] [--fractions=25,50,75,90 | --rates=10000,20000] [--warmup=S] [--seconds=S]
 * [--server-flags="JVM FLAGS"] [--out=FILE]}; {@code bench/run-latency.sh} runs it.
 */
public final class LatencyBenchmark {

    /** A matrix and its timings; {@code rates} empty means fractions of the measured saturation rate. */
    record Settings(String profile, List<String> kinds, List<String> transports, List<Integer> connections,
                    List<Double> fractions, List<Double> rates, double warmupSeconds, double measureSeconds,
                    double serverWarmupSeconds, List<String> serverFlags, Path out) {

        static Settings of(String profile) {
            return switch (profile) {
                // ~3-4 minutes on 2 cores: http on every transport pair, echo on the best pair.
                case "default" -> new Settings(profile, LatencyServer.KINDS, List.of(), List.of(64, 1000),
                        List.of(0.25, 0.50, 0.75, 0.90), List.of(), 1, 2, 2, List.of(), null);
                // ~30 s: a smoke run, not for claims.
                case "quick" -> new Settings(profile, List.of("http"), List.of(), List.of(64, 1000),
                        List.of(0.50, 0.90), List.of(), 0.5, 1.5, 1, List.of(), null);
                default -> throw new IllegalArgumentException("no profile \"" + profile + "\"; use default or quick");
            };
        }
    }

    /** One measured row. */
    record Row(String kind, int connections, double rate, double fraction, String implementation, String transport,
               OpenLoopClient.Result result, double serverCpuMicrosPerRequest) { }

    /** The closed-loop connection count that defines saturation. */
    static final int SATURATION_CONNECTIONS = 64;
    /** Every server stops by itself after this long even if this JVM is killed without closing its stdin. */
    private static final long SERVER_LIFETIME_SECONDS = 1800;
    private static final List<String> JVM_FLAGS = List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m");
    private static final byte[] ECHO_MESSAGE = new byte[64];

    private LatencyBenchmark() {
    }

    /** Runs the matrix the arguments name; see the class comment. */
    public static void main(String[] args) throws Exception {
        Settings settings = parse(args);
        List<Row> rows = new ArrayList<>();
        StringBuilder notes = new StringBuilder();
        MultiThreadIoEventLoopGroup clientLoop = NettyPeers.oneThread(NettyPeers.available().getFirst());
        try {
            for (String kind : settings.kinds()) {
                runKind(settings, kind, clientLoop, rows, notes);
            }
        } finally {
            NettyPeers.shutdown(clientLoop);
        }
        String table = LatencyTable.render(settings, rows, notes.toString());
        System.out.println();
        System.out.println(table);
        if (settings.out() != null) {
            Files.createDirectories(settings.out().toAbsolutePath().getParent());
            Files.writeString(settings.out(), table);
            System.out.println("(also written to " + settings.out() + ")");
        }
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
                case "server-flags" -> serverFlags = value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
                case "out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option \"" + arg + "\"; see LatencyBenchmark's usage");
            }
        }
        return new Settings(s.profile(), kinds, transports, connections, fractions, rates, warmup, seconds,
                s.serverWarmupSeconds(), serverFlags, out);
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

    private static void runKind(Settings settings, String kind, MultiThreadIoEventLoopGroup clientLoop, List<Row> rows,
                                StringBuilder notes) throws Exception {
        byte[] request = kind.equals("http") ? RequestFraming.REQUEST : ECHO_MESSAGE;
        int answerBytes = kind.equals("http") ? RequestFraming.RESPONSE.length : ECHO_MESSAGE.length;
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (String transport : transports(settings, kind)) {
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

    private static void measureConnections(Settings settings, String kind, int connections, List<Double> rates,
                                           List<Double> fractions, List<ServerProcess> servers,
                                           MultiThreadIoEventLoopGroup clientLoop, String clientTransport,
                                           byte[] request, int answerBytes, List<Row> rows) throws Exception {
        List<OpenLoopClient> clients = new ArrayList<>();
        try {
            for (ServerProcess server : servers) {
                clients.add(new OpenLoopClient(clientLoop, clientTransport, server.port(), connections, request, answerBytes));
            }
            for (int r = 0; r < rates.size(); r++) {
                for (int pair = 0; pair < servers.size(); pair += 2) {
                    for (int k = 0; k < 2; k++) {
                        int i = pair + (r % 2 == 0 ? k : 1 - k);  // greenloop first on even rows, Netty first on odd
                        ServerProcess server = servers.get(i);
                        long cpuBefore = server.cpuNanos();
                        OpenLoopClient.Result result = clients.get(i).openLoop(rates.get(r),
                                seconds(settings.warmupSeconds()), seconds(settings.measureSeconds()));
                        // Over the whole row: warm-up and measured requests alike, as the server cannot tell them apart.
                        double requests = rates.get(r) * (settings.warmupSeconds() + settings.measureSeconds());
                        double cpuMicros = (server.cpuNanos() - cpuBefore) / 1e3 / requests;
                        Row row = new Row(kind, connections, rates.get(r), fractions.get(r), server.implementation(),
                                server.transport(), result, cpuBefore < 0 ? Double.NaN : cpuMicros);
                        System.out.println("# " + LatencyTable.progressLine(row));
                        rows.add(row);
                    }
                }
            }
        } finally {
            clients.forEach(OpenLoopClient::close);
        }
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
