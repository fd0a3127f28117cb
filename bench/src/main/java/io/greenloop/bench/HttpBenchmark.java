package io.greenloop.bench;

import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP/1.1 benchmark of issue 22: hello-world servers that each parse HTTP fully ({@link HttpPeers}: greenloop-http,
 * Netty's codec, Helidon SE, the JDK's server on virtual threads, and the C floor), each in a process of its own pinned
 * to the server CPUs, measured in one run: {@code wrk} request rates and server CPU per request at 64 and 1,000
 * connections and pipelined (depth 16, TechEmpower's plaintext rules); open-loop latency ({@link OpenLoopClient},
 * p50/p99/p99.9) at fractions of Netty codec's saturation; the same {@code wrk} rows with one loop per core; and heap
 * per idle keep-alive connection ({@link IdleConnectionHeap}). Rounds repeat every row with the servers' order rotated,
 * and the tables give each ratio's median over the rounds and its range ({@link HttpTable}).
 *
 * <p>Usage: {@code HttpBenchmark [quick|full] [--rounds=N] [--only=netty-codec,helidon,...] [--server-cpus=1]
 * [--client-cpus=0] [--per-core-cpus=0-1] [--floor=BINARY] [--lua=bench/wrk-pipeline.lua] [--idle-connections=N]
 * [--out=FILE]}; {@code bench/run-http.sh} runs it pinned to the client CPUs.
 */
public final class HttpBenchmark {

    /** One kind of {@code wrk} row: its connections and pipeline depth (1: none). */
    record Scenario(String name, int connections, int pipelineDepth) { }

    static final Scenario C64 = new Scenario("wrk -c64", 64, 1);
    static final Scenario C1000 = new Scenario("wrk -c1000", 1000, 1);
    /** TechEmpower's plaintext test pipelines 16 requests; 256 connections is its lowest concurrency. */
    static final Scenario PIPELINED = new Scenario("pipelined 16, -c256", 256, 16);

    /** Where things run: CPU lists as {@code taskset -c} takes them; null means unpinned. */
    record Cpus(String server, String client, String perCore) {

        /** How many loops a per-core server gets: one per CPU of its set. */
        int perCoreLoops() {
            return perCore == null ? Runtime.getRuntime().availableProcessors() : count(perCore);
        }

        /** The CPUs this machine has online (this process may be pinned to fewer). */
        static int online() {
            try {
                return count(Files.readString(Path.of("/sys/devices/system/cpu/online")).trim());
            } catch (IOException | IllegalArgumentException e) {
                return Runtime.getRuntime().availableProcessors();
            }
        }

        /** wrk's threads: one per load-generator CPU. */
        int clientThreads() {
            return client == null ? 1 : count(client);
        }

        /** The number of CPUs in a list such as {@code 0-3,6}; a malformed list is refused. */
        static int count(String list) {
            int cpus = 0;
            for (String part : list.split(",")) {
                String[] range = part.trim().split("-");
                try {
                    int first = Integer.parseInt(range[0]);
                    int last = range.length == 2 ? Integer.parseInt(range[1]) : first;
                    if (range.length > 2 || first < 0 || last < first) {
                        throw new NumberFormatException(part);
                    }
                    cpus += last - first + 1;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("\"" + list + "\" is not a CPU list; give one as taskset -c takes it, e.g. 0-1,3");
                }
            }
            return cpus;
        }
    }

    /** A run's matrix and timings. */
    record Settings(String profile, int rounds, int wrkWarmupSeconds, int wrkSeconds, List<Scenario> scenarios,
                    List<Scenario> perCoreScenarios, List<Double> fractions, List<Integer> latencyConnections,
                    LatencyBenchmark.Timing latency, int idleConnections, List<String> only, Cpus cpus, Path floor,
                    Path pipelineScript, Path out) {

        static Settings of(String profile) {
            Path lua = Path.of("bench", "wrk-pipeline.lua");
            return switch (profile) {
                // ~1 minute: one round of each row kind, one rate, 1,000 idle connections; a smoke run, not for claims.
                case "quick" -> new Settings(profile, 1, 1, 1, List.of(C64, C1000, PIPELINED), List.of(C64), List.of(0.50),
                        List.of(64), new LatencyBenchmark.Timing(1, 0.5, 1, 0.5), 1000, List.of(), new Cpus(null, null, null),
                        null, lua, null);
                // Every row the issue names, 5 rounds: the median of 5 shrugs off one or two disturbed rounds.
                case "full" -> new Settings(profile, 5, 1, 4, List.of(C64, C1000, PIPELINED), List.of(C64, C1000, PIPELINED),
                        List.of(0.25, 0.50, 0.75), List.of(64, 1000), new LatencyBenchmark.Timing(5, 1, 3, 2), 5000,
                        List.of(), new Cpus(null, null, null), null, lua, null);
                default -> throw new IllegalArgumentException("no profile \"" + profile + "\"; use quick or full");
            };
        }
    }

    /** One {@code wrk} row; {@code round} counts from 1. */
    record ThroughputRow(Scenario scenario, int loops, String server, int round, Wrk.Result wrk, double cpuMicrosPerRequest) { }

    /** Everything a run measured; heap is bytes per idle connection by server name. */
    record Results(List<ThroughputRow> throughput, List<LatencyBenchmark.Row> latency, Map<String, Double> heap) { }

    /** For the duration estimate: a server JVM's start until it listens, on 2 busy cores. */
    private static final double SERVER_START_SECONDS = 1.5;
    /** For the duration estimate: a wrk row's start, connection set-up and exit beyond its run time. */
    private static final double WRK_OVERHEAD_SECONDS = 0.3;
    /** For the duration estimate: a heap reading's rehearsal, two histograms and its connections, beyond the server's start. */
    private static final double HEAP_READING_SECONDS = 5.5;
    /** The closed-loop warm-up of a server before its heap is read: classes loaded, code compiled, pools filled. */
    private static final Duration HEAP_WARMUP = Duration.ofSeconds(1);
    /** Servers stop by themselves this long after the run's estimated end, even if this JVM is killed. */
    private static final long LIFETIME_MARGIN_SECONDS = 600;

    private HttpBenchmark() {
    }

    /** Runs the matrix the arguments name and prints its tables; see the class comment. */
    public static void main(String[] args) throws Exception {
        Settings settings = parse(args);
        if (!Wrk.available()) {
            throw new IllegalStateException("wrk is not on the path: apt-get install -y wrk (bench/run-http.sh does)");
        }
        StringBuilder notes = new StringBuilder();
        List<HttpPeers.Peer> peers = available(settings, notes);
        double estimate = estimatedSeconds(settings, peers);
        System.out.printf(Locale.ROOT, "# profile %s, %d round%s, %d peers: about %.1f min (%.0f s) on an idle machine%n",
                settings.profile(), settings.rounds(), settings.rounds() == 1 ? "" : "s", peers.size(), estimate / 60, estimate);
        Results results = run(settings, peers, (long) estimate + LIFETIME_MARGIN_SECONDS, notes);
        String table = HttpTable.render(settings, results, notes.toString());
        CommandLine.report(table, settings.out());
    }

    static Settings parse(String[] args) {
        CommandLine command = CommandLine.parse(args, "full", "[quick|full] --name=value ...");
        Settings s = Settings.of(command.profile());
        int rounds = s.rounds();
        int idle = s.idleConnections();
        List<String> only = s.only();
        Cpus cpus = s.cpus();
        Path floor = s.floor();
        Path lua = s.pipelineScript();
        Path out = s.out();
        for (Map.Entry<String, String> option : command.options().entrySet()) {
            String value = option.getValue();
            switch (option.getKey()) {
                case "rounds" -> rounds = atLeastOne("rounds", value);
                case "idle-connections" -> idle = atLeastOne("idle-connections", value);
                case "only" -> only = List.of(value.split(","));
                case "server-cpus" -> cpus = new Cpus(cpuList(value), cpus.client(), cpus.perCore());
                case "client-cpus" -> cpus = new Cpus(cpus.server(), cpuList(value), cpus.perCore());
                case "per-core-cpus" -> cpus = new Cpus(cpus.server(), cpus.client(), cpuList(value));
                case "floor" -> floor = value.isBlank() ? null : LatencyBenchmark.existingFile(value);
                case "lua" -> lua = Path.of(value);
                case "out" -> out = Path.of(value);
                default -> throw CommandLine.unknown(option, "HttpBenchmark");
            }
        }
        HttpPeers.selected(only);  // refuses an unknown name now, before anything starts
        LatencyBenchmark.Timing t = s.latency();
        return new Settings(s.profile(), rounds, s.wrkWarmupSeconds(), s.wrkSeconds(), s.scenarios(), s.perCoreScenarios(),
                s.fractions(), s.latencyConnections(), new LatencyBenchmark.Timing(rounds, t.warmupSeconds(),
                t.measureSeconds(), t.serverWarmupSeconds()), idle, only, cpus, floor, lua, out);
    }

    private static int atLeastOne(String option, String value) {
        int n = Integer.parseInt(value);
        if (n < 1) {
            throw new IllegalArgumentException("--" + option + "=" + value + ": give 1 or more");
        }
        return n;
    }

    static String cpuList(String value) {
        if (value.isBlank()) {
            return null;
        }
        Cpus.count(value);  // refuses a malformed list
        return value;
    }

    /** The selected peers that can run here; a line in {@code notes} (and on the console) for each that cannot. */
    static List<HttpPeers.Peer> available(Settings settings, StringBuilder notes) {
        List<HttpPeers.Peer> peers = new ArrayList<>();
        for (HttpPeers.Peer peer : HttpPeers.selected(settings.only())) {
            String reason = peer.skipReason(settings.floor());
            if (reason == null) {
                peers.add(peer);
            } else {
                System.out.println("# " + reason);
                notes.append("- ").append(reason).append('\n');
            }
        }
        return peers;
    }

    /** How long {@link #run} should take on an idle machine: every row, server start and heap reading. */
    static double estimatedSeconds(Settings settings, List<HttpPeers.Peer> peers) {
        int jvmPeers = (int) peers.stream().filter(p -> !p.isFloor()).count();
        double wrkRow = 2 * WRK_OVERHEAD_SECONDS + settings.wrkWarmupSeconds() + settings.wrkSeconds();
        double total = peers.size() * SERVER_START_SECONDS + settings.rounds() * settings.scenarios().size() * peers.size() * wrkRow;
        if (settings.cpus().perCoreLoops() > 1) {
            total += jvmPeers * SERVER_START_SECONDS + settings.rounds() * settings.perCoreScenarios().size() * jvmPeers * wrkRow;
        }
        LatencyBenchmark.Timing t = settings.latency();
        double closedLoop = t.serverWarmupSeconds() + 0.5;
        total += peers.size() * closedLoop + closedLoop;
        total += (double) t.rounds() * settings.latencyConnections().size() * settings.fractions().size() * peers.size()
                * (t.warmupSeconds() + t.measureSeconds() + 0.1);
        return total + jvmPeers * (SERVER_START_SECONDS + HEAP_WARMUP.toSeconds() + IdleConnectionHeap.CHURN.toSeconds()
                + HEAP_READING_SECONDS);
    }

    /** Measures every phase: one loop (wrk rows, then latency rows), one loop per core (wrk rows), heap per connection. */
    static Results run(Settings settings, List<HttpPeers.Peer> peers, long lifetimeSeconds, StringBuilder notes) throws Exception {
        List<ThroughputRow> throughput = new ArrayList<>();
        List<LatencyBenchmark.Row> latency = new ArrayList<>();
        Map<String, Double> heap = new LinkedHashMap<>();
        MultiThreadIoEventLoopGroup clientLoop = NettyPeers.oneThread(NettyPeers.available().getFirst());
        try {
            Map<ServerProcess, Integer> answerBytes = new LinkedHashMap<>();
            try {
                startAll(peers, 1, settings.cpus().server(), lifetimeSeconds, settings.floor(), answerBytes);
                List<ServerProcess> servers = List.copyOf(answerBytes.keySet());
                throughput(settings, settings.scenarios(), 1, servers, throughput);
                latency(settings, servers, clients(clientLoop, answerBytes), latency, notes);
            } finally {
                answerBytes.keySet().forEach(ServerProcess::close);
            }
            perCore(settings, peers, lifetimeSeconds, throughput, notes);
            for (HttpPeers.Peer peer : peers) {
                if (!peer.isFloor()) {
                    heap.put(peer.name(), heapPerConnection(settings, peer, lifetimeSeconds, clientLoop));
                }
            }
        } finally {
            NettyPeers.shutdown(clientLoop);
        }
        return new Results(throughput, latency, heap);
    }

    /**
     * Starts each peer with {@code loops} loops on {@code cpus} and checks its answers ({@link #checkedAnswerBytes}),
     * so that a broken peer stops the run at once and no row pays for a cold server's first request; puts each in
     * {@code started}, with its answer's size, as soon as it runs (for the caller to stop, whatever happens next).
     */
    private static void startAll(List<HttpPeers.Peer> peers, int loops, String cpus, long lifetimeSeconds, Path floor,
                                 Map<ServerProcess, Integer> started) throws IOException {
        for (HttpPeers.Peer peer : peers) {
            ServerProcess server = peer.start(loops, cpus, lifetimeSeconds, floor);
            started.put(server, 0);  // in before the check, so that the caller stops it if the check fails
            started.put(server, checkedAnswerBytes(server));
        }
    }

    /** How to drive the servers open-loop: {@link OpenLoopClient} counts answers by size, and each server's has its own. */
    private static LatencyBenchmark.Clients clients(MultiThreadIoEventLoopGroup clientLoop, Map<ServerProcess, Integer> answerBytes) {
        return new LatencyBenchmark.Clients(clientLoop, NettyPeers.available().getFirst(), RequestFraming.REQUEST, answerBytes::get);
    }

    /** The size of {@code server}'s answer, after checking that it answers one request and a pipelined pair with the hello. */
    static int checkedAnswerBytes(ServerProcess server) throws IOException {
        List<byte[]> answers = new ArrayList<>(HttpProbe.responses(server.port(), 1));
        answers.addAll(HttpProbe.responses(server.port(), 2));
        for (byte[] answer : answers) {
            if (HttpProbe.status(answer) != 200 || !HttpProbe.body(answer).equals("Hello, World!")
                    || answer.length != answers.getFirst().length) {
                throw new IOException(server.name() + " answered wrongly (every answer must be a 200 with the hello, all of one size):\n"
                        + new String(answer, StandardCharsets.ISO_8859_1));
            }
        }
        return answers.getFirst().length;
    }

    /**
     * The wrk rows of {@code scenarios} against {@code servers}, {@code rounds} times; rounds go outside the scenarios,
     * and the server that goes first rotates from scenario to scenario and round to round, as in the latency rows.
     */
    private static void throughput(Settings settings, List<Scenario> scenarios, int loops, List<ServerProcess> servers,
                                   List<ThroughputRow> rows) throws IOException, InterruptedException {
        int threads = settings.cpus().clientThreads();
        for (int round = 0; round < settings.rounds(); round++) {
            for (int s = 0; s < scenarios.size(); s++) {
                Scenario scenario = scenarios.get(s);
                for (int k = 0; k < servers.size(); k++) {
                    ServerProcess server = servers.get((s + round + k) % servers.size());
                    if (settings.wrkWarmupSeconds() > 0) {
                        Wrk.run(new Wrk.Run(server.port(), scenario.connections(), threads, settings.wrkWarmupSeconds(),
                                scenario.pipelineDepth()), settings.cpus().client(), settings.pipelineScript());
                    }
                    long cpuBefore = server.cpuNanos();
                    Wrk.Result result = Wrk.run(new Wrk.Run(server.port(), scenario.connections(), threads, settings.wrkSeconds(),
                            scenario.pipelineDepth()), settings.cpus().client(), settings.pipelineScript());
                    double cpu = cpuBefore < 0 || result.requests() == 0 ? Double.NaN
                            : (server.cpuNanos() - cpuBefore) / 1e3 / result.requests();
                    ThroughputRow row = new ThroughputRow(scenario, loops, server.implementation(), round + 1, result, cpu);
                    System.out.println("# " + HttpTable.progressLine(row, settings.rounds()));
                    rows.add(row);
                }
            }
        }
    }

    /** The open-loop rows: rates are fractions of the reference's closed-loop saturation (the first server without it). */
    private static void latency(Settings settings, List<ServerProcess> servers, LatencyBenchmark.Clients clients,
                                List<LatencyBenchmark.Row> rows, StringBuilder notes) throws Exception {
        ServerProcess reference = servers.stream().filter(s -> s.implementation().equals(HttpPeers.REFERENCE)).findFirst()
                .orElse(servers.getFirst());
        double saturation = LatencyBenchmark.warmUp(settings.latency(), "http", servers, reference, clients, notes);
        List<Double> rates = settings.fractions().stream().map(f -> Math.rint(f * saturation)).toList();
        for (int connections : settings.latencyConnections()) {
            LatencyBenchmark.measureConnections(settings.latency(), "http", connections, rates, settings.fractions(),
                    List.of(servers), clients, rows);
        }
    }

    /** The wrk rows again with one loop per CPU of the per-core set, for every peer that has loops (not the C floor). */
    private static void perCore(Settings settings, List<HttpPeers.Peer> peers, long lifetimeSeconds, List<ThroughputRow> rows,
                                StringBuilder notes) throws IOException, InterruptedException {
        int loops = settings.cpus().perCoreLoops();
        List<HttpPeers.Peer> scaling = peers.stream().filter(p -> !p.isFloor()).toList();
        if (loops < 2 || scaling.isEmpty()) {
            String why = "per-core rows skipped: " + (loops < 2 ? "the per-core CPU set has one CPU" : "no peer with loops");
            System.out.println("# " + why);
            notes.append("- ").append(why).append('\n');
            return;
        }
        Map<ServerProcess, Integer> started = new LinkedHashMap<>();
        try {
            startAll(scaling, loops, settings.cpus().perCore(), lifetimeSeconds, settings.floor(), started);
            throughput(settings, settings.perCoreScenarios(), loops, List.copyOf(started.keySet()), rows);
        } finally {
            started.keySet().forEach(ServerProcess::close);
        }
    }

    /**
     * A fresh one-loop server of {@code peer}, warmed up alike for every peer (closed-loop keep-alive load, then
     * connection churn: {@link IdleConnectionHeap#churn}), then its heap per idle connection.
     */
    private static double heapPerConnection(Settings settings, HttpPeers.Peer peer, long lifetimeSeconds,
                                            MultiThreadIoEventLoopGroup clientLoop) throws Exception {
        Map<ServerProcess, Integer> started = new LinkedHashMap<>();
        try {
            startAll(List.of(peer), 1, settings.cpus().server(), lifetimeSeconds, settings.floor(), started);
            ServerProcess server = started.keySet().iterator().next();
            // Closed before the first reading: these connections are not the idle ones measured.
            try (OpenLoopClient warm = clients(clientLoop, started).open(server, LatencyBenchmark.SATURATION_CONNECTIONS)) {
                warm.closedLoop(HEAP_WARMUP);
            }
            IdleConnectionHeap.churn(server);
            double bytes = IdleConnectionHeap.bytesPerConnection(server, settings.idleConnections());
            System.out.printf(Locale.ROOT, "# heap: %s: %,.0f bytes per idle connection (%,d connections)%n",
                    server.name(), bytes, settings.idleConnections());
            return bytes;
        } finally {
            started.keySet().forEach(ServerProcess::close);
        }
    }
}
