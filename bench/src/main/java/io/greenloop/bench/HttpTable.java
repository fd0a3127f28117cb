package io.greenloop.bench;

import io.greenloop.bench.LatencyTable.Spread;
import io.greenloop.bench.LatencyTable.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Renders {@link HttpBenchmark}'s results as the markdown {@code bench/README.md} takes: the wrk rows (request rate and
 * server CPU per request, each a median over the rounds with its range), every peer's ratios to Netty's codec, the
 * open-loop latency tables ({@link LatencyTable}'s), heap per idle connection, and a verdict per target of issue 22
 * for greenloop-http (met only when a ratio's whole range clears the line).
 */
final class HttpTable {

    /** The throughput target: greenloop-http's request rate at least this many times Helidon's. */
    static final double HELIDON_FACTOR = 1.3;

    /** What a throughput ratio compares: one scenario with one loop count. */
    record Case(HttpBenchmark.Scenario scenario, int loops) {
        static Case of(HttpBenchmark.ThroughputRow row) {
            return new Case(row.scenario(), row.loops());
        }

        @Override
        public String toString() {
            return scenario.name() + ", " + (loops == 1 ? "1 loop" : loops + " loops");
        }
    }

    private HttpTable() {
    }

    static String render(HttpBenchmark.Settings settings, HttpBenchmark.Results results, String notes) {
        int rounds = settings.rounds();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "## HTTP hello (profile %s, %d round%s, %d CPUs, %s %s)%n%n", settings.profile(),
                rounds, rounds == 1 ? "" : "s", HttpBenchmark.Cpus.online(),
                System.getProperty("java.vm.name"), System.getProperty("java.version")));
        if (settings.profile().equals("quick") || rounds < LatencyTable.ROUNDS_FOR_CLAIMS) {
            out.append(settings.profile().equals("quick") ? "Quick profile: a smoke run, not for claims.\n\n"
                    : rounds + " rounds: fewer than " + LatencyTable.ROUNDS_FOR_CLAIMS + ", not for claims.\n\n");
        }
        HttpBenchmark.Cpus cpus = settings.cpus();
        out.append(String.format(Locale.ROOT, "Servers pinned to CPUs %s, the load generator (wrk, the open-loop client) to CPUs %s; "
                        + "per-core rows: %d loops on CPUs %s.%n%n", or(cpus.server(), "any (not pinned)"),
                or(cpus.client(), "any (not pinned)"), cpus.perCoreLoops(), or(cpus.perCore(), "any (not pinned)")));
        out.append(notes).append('\n');
        appendThroughput(out, results.throughput(), rounds);
        appendLatency(out, settings, results.latency());
        appendHeap(out, settings, results.heap());
        appendTargets(out, results);
        return out.toString();
    }

    private static String or(String value, String otherwise) {
        return value == null ? otherwise : value;
    }

    /** Each case's rows by server, servers in the order first measured, rounds in order. */
    static Map<Case, Map<String, List<HttpBenchmark.ThroughputRow>>> byCase(List<HttpBenchmark.ThroughputRow> rows) {
        Map<Case, Map<String, List<HttpBenchmark.ThroughputRow>>> cases = new LinkedHashMap<>();
        for (HttpBenchmark.ThroughputRow row : rows) {
            cases.computeIfAbsent(Case.of(row), c -> new LinkedHashMap<>())
                    .computeIfAbsent(row.server(), s -> new ArrayList<>()).add(row);
        }
        return cases;
    }

    /**
     * The ratio {@code subject} / {@code peer} of {@code value} over the rounds both were measured in, or null when
     * either was not measured.
     */
    static Spread ratio(Map<String, List<HttpBenchmark.ThroughputRow>> servers, String subject, String peer,
                        ToDoubleFunction<HttpBenchmark.ThroughputRow> value) {
        List<HttpBenchmark.ThroughputRow> s = servers.get(subject);
        List<HttpBenchmark.ThroughputRow> p = servers.get(peer);
        if (s == null || p == null) {
            return null;
        }
        List<Double> ratios = new ArrayList<>();
        for (HttpBenchmark.ThroughputRow a : s) {
            for (HttpBenchmark.ThroughputRow b : p) {
                if (a.round() == b.round()) {
                    ratios.add(value.applyAsDouble(a) / value.applyAsDouble(b));
                }
            }
        }
        return ratios.isEmpty() ? null : Spread.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static Spread spread(List<HttpBenchmark.ThroughputRow> rows, ToDoubleFunction<HttpBenchmark.ThroughputRow> value) {
        return Spread.of(rows.stream().mapToDouble(value).toArray());
    }

    private static double requestsPerSecond(HttpBenchmark.ThroughputRow row) {
        return row.wrk().requestsPerSecond();
    }

    private static void appendThroughput(StringBuilder out, List<HttpBenchmark.ThroughputRow> rows, int rounds) {
        String over = rounds == 1 ? "" : ": median over " + rounds + " rounds (lowest-highest round)";
        out.append("### Throughput (wrk, closed loop)").append(over).append("\n\n");
        out.append("req/s from wrk; CPU: the server process's CPU time per answered request (/proc/PID/stat, 10 ms "
                + "resolution); errors: wrk's socket errors and non-2xx answers, summed over the rounds; p99: wrk's "
                + "closed-loop latency (it under-counts stalls: see the open-loop rows), last round.\n\n");
        out.append("| scenario | loops | server | req/s | CPU us/req | errors | wrk p99 |\n| --- | ---: | --- | ---: | ---: | ---: | ---: |\n");
        Map<Case, Map<String, List<HttpBenchmark.ThroughputRow>>> cases = byCase(rows);
        for (Map.Entry<Case, Map<String, List<HttpBenchmark.ThroughputRow>>> c : cases.entrySet()) {
            for (Map.Entry<String, List<HttpBenchmark.ThroughputRow>> server : c.getValue().entrySet()) {
                List<HttpBenchmark.ThroughputRow> r = server.getValue();
                out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %,d | %s |%n", c.getKey().scenario().name(),
                        c.getKey().loops(), server.getKey(), figure(spread(r, HttpTable::requestsPerSecond), "%,.0f", rounds),
                        figure(spread(r, HttpBenchmark.ThroughputRow::cpuMicrosPerRequest), "%.2f", rounds),
                        r.stream().mapToLong(row -> row.wrk().errors()).sum(), p99(r.getLast())));
            }
        }
        out.append("\n### Throughput: each server / ").append(HttpPeers.REFERENCE).append(", same scenario, loops and round")
                .append(over).append(" (req/s: above 1.00 is faster; CPU per request: below 1.00 is cheaper)\n\n");
        out.append("| scenario | loops | server | req/s | CPU per request |\n| --- | ---: | --- | ---: | ---: |\n");
        for (Map.Entry<Case, Map<String, List<HttpBenchmark.ThroughputRow>>> c : cases.entrySet()) {
            for (String server : c.getValue().keySet()) {
                if (server.equals(HttpPeers.REFERENCE)) {
                    continue;
                }
                Spread rate = ratio(c.getValue(), server, HttpPeers.REFERENCE, HttpTable::requestsPerSecond);
                Spread cpu = ratio(c.getValue(), server, HttpPeers.REFERENCE, HttpBenchmark.ThroughputRow::cpuMicrosPerRequest);
                out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", c.getKey().scenario().name(), c.getKey().loops(),
                        server, figure(rate, "%.2f", rounds), figure(cpu, "%.2f", rounds)));
            }
        }
    }

    /** wrk's p99, except for pipelined rows: wrk records one latency per pipelined batch, not one per request. */
    private static String p99(HttpBenchmark.ThroughputRow row) {
        return row.scenario().pipelineDepth() > 1 ? "n/a" : row.wrk().p99();
    }

    /** A median with its range when there were rounds, or the one figure; "n/a" when missing. */
    static String figure(Spread spread, String format, int rounds) {
        if (spread == null || Double.isNaN(spread.median())) {
            return "n/a";
        }
        String median = String.format(Locale.ROOT, format, spread.median());
        return rounds == 1 ? median : median + String.format(Locale.ROOT, " (" + format + "-" + format + ")", spread.low(), spread.high());
    }

    private static void appendLatency(StringBuilder out, HttpBenchmark.Settings settings, List<LatencyBenchmark.Row> rows) {
        LatencyBenchmark.Timing t = settings.latency();
        out.append(String.format(Locale.ROOT, "%n### Latency (open loop, one loop; %.1f s warm-up + %.1f s measured per row)%n%n",
                t.warmupSeconds(), t.measureSeconds()));
        out.append("Latency from the intended send time, in ms; \"late\" is the load generator's own lateness; \"server CPU\" "
                + "is per request over the row (see bench/README.md, \"Latency\").\n\n");
        if (rows.isEmpty()) {
            out.append("No latency rows were measured.\n");
            return;
        }
        LatencyTable.appendRows(out, rows, t.rounds() > 1);
        Set<String> servers = new LinkedHashSet<>();
        rows.forEach(r -> servers.add(r.implementation()));
        for (String server : servers) {
            if (!server.equals(HttpPeers.REFERENCE)) {
                LatencyTable.appendRatios(out, server + " / " + HttpPeers.REFERENCE + ", same rate",
                        LatencyTable.pairs(rows, server, HttpPeers.REFERENCE), t.rounds());
            }
        }
    }

    private static void appendHeap(StringBuilder out, HttpBenchmark.Settings settings, Map<String, Double> heap) {
        out.append(String.format(Locale.ROOT, "%n### Heap per idle keep-alive connection (%,d connections, each answered once)%n%n",
                settings.idleConnections()));
        out.append("Live heap after a full collection (jcmd GC.class_histogram) with the connections open, minus before "
                + "they were opened, per connection; one fresh one-loop server per peer, warmed up first. The C floor is "
                + "not a JVM: it has no heap.\n\n");
        out.append("| server | bytes per connection |\n| --- | ---: |\n");
        heap.forEach((server, bytes) -> out.append(String.format(Locale.ROOT, "| %s | %,.0f |%n", server, bytes)));
    }

    private static void appendTargets(StringBuilder out, HttpBenchmark.Results results) {
        out.append("\n### Targets of issue 22 for ").append(HttpPeers.SUBJECT)
                .append(" (met only when the whole range clears the line; NOT met when the whole range misses it)\n\n");
        boolean measured = results.throughput().stream().anyMatch(r -> r.server().equals(HttpPeers.SUBJECT))
                || results.heap().containsKey(HttpPeers.SUBJECT);
        if (!measured) {
            out.append(HttpPeers.SUBJECT).append(" was not measured in this run: no target is judged.\n");
            return;
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<Case, Map<String, List<HttpBenchmark.ThroughputRow>>> c : byCase(results.throughput()).entrySet()) {
            Map<String, List<HttpBenchmark.ThroughputRow>> servers = c.getValue();
            target(out, verdicts, c.getKey() + ": req/s at least " + HELIDON_FACTOR + "x " + HttpPeers.HELIDON + "'s",
                    ratio(servers, HttpPeers.SUBJECT, HttpPeers.HELIDON, HttpTable::requestsPerSecond), HELIDON_FACTOR, true);
            target(out, verdicts, c.getKey() + ": req/s at least " + HttpPeers.REFERENCE + "'s",
                    ratio(servers, HttpPeers.SUBJECT, HttpPeers.REFERENCE, HttpTable::requestsPerSecond), 1, true);
            target(out, verdicts, c.getKey() + ": CPU per request at most " + HttpPeers.REFERENCE + "'s",
                    ratio(servers, HttpPeers.SUBJECT, HttpPeers.REFERENCE, HttpBenchmark.ThroughputRow::cpuMicrosPerRequest), 1, false);
        }
        for (String peer : List.of(HttpPeers.HELIDON, HttpPeers.REFERENCE)) {
            for (Map.Entry<LatencyTable.Pair, List<LatencyTable.Round>> e : LatencyTable.pairs(results.latency(), HttpPeers.SUBJECT, peer).entrySet()) {
                LatencyTable.Pair p = e.getKey();
                Spread p99 = LatencyTable.spread(e.getValue(), 1);
                Spread p999 = LatencyTable.spread(e.getValue(), 2);
                Verdict v = LatencyTable.verdict(p99, p999);
                verdicts.add(v);
                out.append(String.format(Locale.ROOT, "- latency, %,d conns, %,.0f req/s: p99 and p99.9 at most %s's: %s (p99 %s, p99.9 %s)%n",
                        p.connections(), p.rate(), peer, v, p99, p999));
            }
        }
        Double subject = results.heap().get(HttpPeers.SUBJECT);
        Double reference = results.heap().get(HttpPeers.REFERENCE);
        if (subject != null && reference != null) {
            Verdict v = subject <= reference ? Verdict.MET : Verdict.NOT_MET;
            verdicts.add(v);
            out.append(String.format(Locale.ROOT, "- heap per idle connection at most %s's: %s (%,.0f against %,.0f bytes; one reading each)%n",
                    HttpPeers.REFERENCE, v, subject, reference));
        }
        out.append(String.format(Locale.ROOT, "%n**Overall: %s** (%d judged)%n", LatencyTable.overall(verdicts), verdicts.size()));
    }

    private static void target(StringBuilder out, List<Verdict> verdicts, String what, Spread ratio, double line, boolean higherIsBetter) {
        if (ratio == null) {
            out.append("- ").append(what).append(": not measured\n");
            return;
        }
        Verdict v = LatencyTable.against(ratio, line, higherIsBetter);
        verdicts.add(v);
        out.append("- ").append(what).append(": ").append(v).append(" (ratio ").append(ratio).append(")\n");
    }

    /** One line per wrk row as it is measured, so a long run shows progress. */
    static String progressLine(HttpBenchmark.ThroughputRow row, int rounds) {
        return String.format(Locale.ROOT, "%s%s, %d loop%s, %s: %,.0f req/s, CPU %.2f us/req, errors %,d, wrk p99 %s",
                rounds > 1 ? "round " + row.round() + "/" + rounds + " " : "", row.scenario().name(), row.loops(),
                row.loops() == 1 ? "" : "s", row.server(), row.wrk().requestsPerSecond(), row.cpuMicrosPerRequest(),
                row.wrk().errors(), p99(row));
    }
}
