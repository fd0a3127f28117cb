package io.greenloop.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns one run's results into the markdown that {@code bench/README.md} wants: every figure, each
 * greenloop figure's ratio to the peers measured beside it, and one line per target of issue 7.
 * Rows are keyed {@code Class.method} plus {@code [param=value]} when the benchmark has parameters.
 */
final class Summary {

    /** A greenloop figure and a peer figure, compared as greenloop / peer. */
    record Comparison(String what, String greenloop, String peer) { }

    /** A target of the issue: greenloop / peer must be at most (or, for rates, at least) {@code limit}. */
    record Target(String what, String greenloop, String peer, double limit, boolean higherIsBetter) { }

    static final List<Comparison> COMPARISONS = List.of(
            new Comparison("Event ping-pong hand-off vs Continuation resume+yield (floor)",
                    "SwitchBenchmark.greenletEventPingPong", "SwitchBenchmark.continuationResumeYield"),
            new Comparison("Queue ping-pong hand-off vs Continuation resume+yield (floor)",
                    "SwitchBenchmark.greenletQueuePingPong", "SwitchBenchmark.continuationResumeYield"),
            new Comparison("sleep() switch vs Continuation resume+yield (floor)",
                    "SwitchBenchmark.greenletSleepSwitch", "SwitchBenchmark.continuationResumeYield"),
            new Comparison("virtual-thread park/unpark, FIFO scheduler of its own, vs Continuation resume+yield (floor)",
                    "SwitchBenchmark.virtualThreadParkUnparkOwnScheduler", "SwitchBenchmark.continuationResumeYield"),
            new Comparison("Event ping-pong hand-off vs virtual-thread park/unpark, FIFO scheduler of its own",
                    "SwitchBenchmark.greenletEventPingPong", "SwitchBenchmark.virtualThreadParkUnparkOwnScheduler"),
            new Comparison("Queue ping-pong hand-off vs virtual-thread park/unpark, FIFO scheduler of its own",
                    "SwitchBenchmark.greenletQueuePingPong", "SwitchBenchmark.virtualThreadParkUnparkOwnScheduler"),
            new Comparison("Event ping-pong hand-off vs JDK virtual threads park/unpark",
                    "SwitchBenchmark.greenletEventPingPong", "SwitchBenchmark.virtualThreadParkUnpark"),
            new Comparison("Event ping-pong hand-off vs JDK virtual threads park/unpark, one carrier",
                    "SwitchBenchmark.greenletEventPingPong", "SwitchBenchmark.virtualThreadParkUnparkOneCarrier"),
            new Comparison("Event ping-pong hand-off vs platform threads SynchronousQueue",
                    "SwitchBenchmark.greenletEventPingPong", "SwitchBenchmark.platformThreadSynchronousQueue"),
            new Comparison("spawn+join vs Continuation create+run (floor)",
                    "SpawnBenchmark.greenlets", "SpawnBenchmark.continuations"),
            new Comparison("spawn+join vs JDK virtual threads start+join",
                    "SpawnBenchmark.greenlets", "SpawnBenchmark.virtualThreads"),
            new Comparison("spawn+join vs JDK virtual threads start+join, one carrier",
                    "SpawnBenchmark.greenlets", "SpawnBenchmark.virtualThreadsOneCarrier"),
            new Comparison("timer schedule+cancel vs ScheduledThreadPoolExecutor",
                    "TimerBenchmark.greenloopScheduleCancel", "TimerBenchmark.executorScheduleCancel"),
            new Comparison("timer schedule+fire vs ScheduledThreadPoolExecutor",
                    "TimerBenchmark.greenloopScheduleFire", "TimerBenchmark.executorScheduleFire"),
            new Comparison("wake-up, nio vs Netty nio",
                    "WakeupBenchmark.greenloopExecute[transport=nio]", "WakeupBenchmark.nettyExecute[nettyTransport=nio]"),
            new Comparison("wake-up, epoll vs Netty epoll",
                    "WakeupBenchmark.greenloopExecute[transport=epoll]", "WakeupBenchmark.nettyExecute[nettyTransport=epoll]"),
            new Comparison("wake-up, nio vs Netty epoll",
                    "WakeupBenchmark.greenloopExecute[transport=nio]", "WakeupBenchmark.nettyExecute[nettyTransport=epoll]"),
            new Comparison("echo round trip, nio vs Netty nio",
                    "EchoRoundTripBenchmark.greenloop[transport=nio]", "EchoRoundTripBenchmark.netty[nettyTransport=nio]"),
            new Comparison("echo round trip, epoll vs Netty epoll",
                    "EchoRoundTripBenchmark.greenloop[transport=epoll]", "EchoRoundTripBenchmark.netty[nettyTransport=epoll]"),
            new Comparison("echo round trip, nio vs JDK virtual threads + java.net.Socket",
                    "EchoRoundTripBenchmark.greenloop[transport=nio]", "EchoRoundTripBenchmark.virtualThreads"),
            new Comparison("echo round trip, epoll vs JDK virtual threads + java.net.Socket",
                    "EchoRoundTripBenchmark.greenloop[transport=epoll]", "EchoRoundTripBenchmark.virtualThreads"),
            new Comparison("echo throughput (64 conns), nio vs Netty nio",
                    "EchoThroughputBenchmark.greenloop[transport=nio]", "EchoThroughputBenchmark.netty[nettyTransport=nio]"),
            new Comparison("echo throughput (64 conns), epoll vs Netty epoll",
                    "EchoThroughputBenchmark.greenloop[transport=epoll]", "EchoThroughputBenchmark.netty[nettyTransport=epoll]"),
            new Comparison("echo throughput (64 conns), epoll vs JDK virtual threads",
                    "EchoThroughputBenchmark.greenloop[transport=epoll]", "EchoThroughputBenchmark.virtualThreads"));

    /** Issue 12's targets (the socket ones are measured by run-latency.sh and run-wrk.sh instead). */
    static final List<Target> TARGETS = List.of(
            new Target("Event hand-off at most 2.0x the raw Continuation floor",
                    "SwitchBenchmark.greenletEventPingPong", "SwitchBenchmark.continuationResumeYield", 2.0, false),
            new Target("Queue hand-off at most 2.0x the raw Continuation floor",
                    "SwitchBenchmark.greenletQueuePingPong", "SwitchBenchmark.continuationResumeYield", 2.0, false),
            new Target("spawn+join no slower than JDK virtual threads on one carrier",
                    "SpawnBenchmark.greenlets", "SpawnBenchmark.virtualThreadsOneCarrier", 1.0, false));

    /** The memory target. */
    static final double MAX_BYTES_PER_PARKED_GREENLET = 900;

    private Summary() {
    }

    static String render(String profile, Collection<RunResult> results, Map<String, Double> bytesPerParked, int memoryCount) {
        Map<String, Result<?>> byKey = new LinkedHashMap<>();
        for (RunResult result : results) {
            byKey.put(key(result.getParams()), result.getPrimaryResult());
        }
        StringBuilder out = new StringBuilder();
        out.append("## Results (profile ").append(profile).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs, ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append(")\n\n");
        if (profile.equals("quick")) {
            out.append("Quick profile: a smoke run, **not for claims** (its 99.9% intervals are often wider than the score).\n"
                    + "For README figures use the claims profile or `compare` mode.\n\n");
        }
        out.append("| benchmark | score | error (99.9%) | unit |\n| --- | ---: | ---: | --- |\n");
        byKey.forEach((key, result) -> out.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %s |%n", key, result.getScore(),
                Double.isNaN(result.getScoreError()) ? "n/a" : String.format(Locale.ROOT, "%.1f", result.getScoreError()),
                result.getScoreUnit())));
        bytesPerParked.forEach((kind, bytes) -> out.append(String.format(Locale.ROOT,
                "| ParkedMemory.%s (%,d parked) | %.0f | | bytes of heap each |%n", kind, memoryCount, bytes)));
        out.append("\n### Ratios (greenloop / peer; for ns/op lower is better, for ops/s higher is better)\n\n");
        out.append("| comparison | ratio | interval (from the 99.9% errors) |\n| --- | ---: | ---: |\n");
        for (Comparison c : COMPARISONS) {
            Result<?> g = byKey.get(c.greenloop());
            Result<?> p = byKey.get(c.peer());
            if (g != null && p != null) {
                double[] range = ratioInterval(g, p);
                out.append(String.format(Locale.ROOT, "| %s | %.2f | %s |%n", c.what(), g.getScore() / p.getScore(), interval(range)));
            }
        }
        Double greenlets = bytesPerParked.get("greenlets");
        Double virtualThreads = bytesPerParked.get("virtual-threads");
        if (greenlets != null && virtualThreads != null) {
            out.append(String.format(Locale.ROOT, "| heap per parked greenlet vs parked JDK virtual thread | %.2f |%n",
                    greenlets / virtualThreads));
        }
        out.append("\n### Targets (issue 12)\n\n");
        for (Target t : TARGETS) {
            out.append("- ").append(t.what()).append(": ").append(verdict(t, byKey.get(t.greenloop()), byKey.get(t.peer()))).append('\n');
        }
        out.append("- at most 900 bytes of heap per parked greenlet: ").append(greenlets == null ? "not measured in this run"
                : String.format(Locale.ROOT, "%s (%.0f bytes)", greenlets <= MAX_BYTES_PER_PARKED_GREENLET ? "met" : "NOT met", greenlets))
                .append('\n');
        out.append("- p99/p99.9 against Netty and equal-work throughput: measured by bench/run-latency.sh and bench/run-wrk.sh, not by this runner\n");
        return out.toString();
    }

    private static String verdict(Target t, Result<?> greenloop, Result<?> peer) {
        if (greenloop == null || peer == null) {
            return "not measured in this run (" + (greenloop == null ? t.greenloop() : t.peer()) + " missing)";
        }
        double ratio = greenloop.getScore() / peer.getScore();
        return verdict(t, ratioInterval(greenloop, peer), String.format(Locale.ROOT, "ratio %.2f, interval %s", ratio,
                interval(ratioInterval(greenloop, peer))));
    }

    /**
     * Met only when the whole interval is on the right side of the line, not met when it is all on the wrong side,
     * undecided when it spans the line: a ratio whose interval crosses the line is not a result either way.
     */
    static String verdict(Target t, double[] range, String evidence) {
        double worst = t.higherIsBetter() ? range[0] : range[1];
        double best = t.higherIsBetter() ? range[1] : range[0];
        boolean met = t.higherIsBetter() ? worst >= t.limit() : worst <= t.limit();
        boolean missed = t.higherIsBetter() ? best < t.limit() : best > t.limit();
        return String.format(Locale.ROOT, "%s (%s; %s %.1f)", met ? "met" : missed ? "NOT met" : "undecided, the interval spans the line",
                evidence, t.higherIsBetter() ? "needs at least" : "needs at most", t.limit());
    }

    /**
     * The ratio's bounds from the two 99.9% intervals, taken at their far ends ((g - eg) / (p + ep) to
     * (g + eg) / (p - ep)): conservative, as the two errors are independent; unbounded when an error reaches zero.
     */
    static double[] ratioInterval(Result<?> greenloop, Result<?> peer) {
        double g = greenloop.getScore();
        double p = peer.getScore();
        double eg = Double.isNaN(greenloop.getScoreError()) ? 0 : greenloop.getScoreError();
        double ep = Double.isNaN(peer.getScoreError()) ? 0 : peer.getScoreError();
        double low = Math.max(0, g - eg) / (p + ep);
        double high = p - ep <= 0 ? Double.POSITIVE_INFINITY : (g + eg) / (p - ep);
        return new double[] {low, high};
    }

    private static String interval(double[] range) {
        return String.format(Locale.ROOT, "%.2f-%s", range[0],
                Double.isInfinite(range[1]) ? "inf" : String.format(Locale.ROOT, "%.2f", range[1]));
    }

    /**
     * The markdown of a {@code compare} run: for each comparison, the greenloop / peer ratio of every round, its
     * median and its range (lowest to highest round), and a target's verdict from that range.
     */
    static String renderCompare(String profile, int rounds, List<Comparison> comparisons, Map<String, List<Double>> scores) {
        StringBuilder out = new StringBuilder();
        out.append("## Compare (profile ").append(profile).append(" per fork, ").append(rounds)
                .append(" rounds, greenloop and peer alternating, one fork each per round; ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append(")\n\n");
        out.append("| comparison (greenloop / peer) | median ratio | range | ratios by round |\n| --- | ---: | ---: | --- |\n");
        List<String> verdicts = new ArrayList<>();
        for (Comparison c : comparisons) {
            List<Double> g = scores.get(c.greenloop());
            List<Double> p = scores.get(c.peer());
            double[] ratios = new double[Math.min(g.size(), p.size())];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = g.get(i) / p.get(i);
            }
            double[] sorted = ratios.clone();
            Arrays.sort(sorted);
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
            double[] range = {sorted[0], sorted[sorted.length - 1]};
            out.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s |%n", c.what(), median, interval(range),
                    Arrays.stream(ratios).mapToObj(r -> String.format(Locale.ROOT, "%.2f", r))
                            .collect(Collectors.joining(" "))));
            for (Target t : TARGETS) {
                if (t.greenloop().equals(c.greenloop()) && t.peer().equals(c.peer())) {
                    verdicts.add("- " + t.what() + ": " + verdict(t, range, String.format(Locale.ROOT,
                            "median %.2f, range %s over %d rounds", median, interval(range), ratios.length)));
                }
            }
        }
        if (!verdicts.isEmpty()) {
            out.append("\n### Targets (met only when the whole range is clear of the line)\n\n");
            verdicts.forEach(v -> out.append(v).append('\n'));
        }
        return out.toString();
    }

    /** {@code SimpleClass.method} plus {@code [k=v,...]} for parameterised benchmarks. */
    static String key(BenchmarkParams params) {
        String full = params.getBenchmark();
        int method = full.lastIndexOf('.');
        int type = full.lastIndexOf('.', method - 1);
        StringBuilder key = new StringBuilder(full.substring(type + 1));
        if (!params.getParamsKeys().isEmpty()) {
            key.append('[');
            for (String name : params.getParamsKeys()) {
                if (key.charAt(key.length() - 1) != '[') {
                    key.append(',');
                }
                key.append(name).append('=').append(params.getParam(name));
            }
            key.append(']');
        }
        return key.toString();
    }
}
