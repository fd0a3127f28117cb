package io.greenloop.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

    static final List<Target> TARGETS = List.of(
            new Target("greenlet switch within 2.5x of the raw Continuation floor",
                    "SwitchBenchmark.greenletEventPingPong", "SwitchBenchmark.continuationResumeYield", 2.5, false),
            new Target("spawn+join no slower than JDK default-scheduler virtual threads",
                    "SpawnBenchmark.greenlets", "SpawnBenchmark.virtualThreads", 1.0, false),
            new Target("socket round trip on epoll no slower than Netty epoll",
                    "EchoRoundTripBenchmark.greenloop[transport=epoll]", "EchoRoundTripBenchmark.netty[nettyTransport=epoll]", 1.0, false),
            new Target("throughput at 64 connections on epoll at least Netty epoll's",
                    "EchoThroughputBenchmark.greenloop[transport=epoll]", "EchoThroughputBenchmark.netty[nettyTransport=epoll]", 1.0, true));

    /** The memory target. */
    static final double MAX_BYTES_PER_PARKED_GREENLET = 2048;

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
        out.append("| benchmark | score | error (99.9%) | unit |\n| --- | ---: | ---: | --- |\n");
        byKey.forEach((key, result) -> out.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %s |%n", key, result.getScore(),
                Double.isNaN(result.getScoreError()) ? "n/a" : String.format(Locale.ROOT, "%.1f", result.getScoreError()),
                result.getScoreUnit())));
        bytesPerParked.forEach((kind, bytes) -> out.append(String.format(Locale.ROOT,
                "| ParkedMemory.%s (%,d parked) | %.0f | | bytes of heap each |%n", kind, memoryCount, bytes)));
        out.append("\n### Ratios (greenloop / peer; for ns/op lower is better, for ops/s higher is better)\n\n");
        out.append("| comparison | ratio |\n| --- | ---: |\n");
        for (Comparison c : COMPARISONS) {
            Result<?> g = byKey.get(c.greenloop());
            Result<?> p = byKey.get(c.peer());
            if (g != null && p != null) {
                out.append(String.format(Locale.ROOT, "| %s | %.2f |%n", c.what(), g.getScore() / p.getScore()));
            }
        }
        Double greenlets = bytesPerParked.get("greenlets");
        Double virtualThreads = bytesPerParked.get("virtual-threads");
        if (greenlets != null && virtualThreads != null) {
            out.append(String.format(Locale.ROOT, "| heap per parked greenlet vs parked JDK virtual thread | %.2f |%n",
                    greenlets / virtualThreads));
        }
        out.append("\n### Targets (issue 7)\n\n");
        for (Target t : TARGETS) {
            out.append("- ").append(t.what()).append(": ").append(verdict(t, byKey.get(t.greenloop()), byKey.get(t.peer()))).append('\n');
        }
        out.append("- at most 2 KiB of heap per parked greenlet: ").append(greenlets == null ? "not measured in this run"
                : String.format(Locale.ROOT, "%s (%.0f bytes)", greenlets <= MAX_BYTES_PER_PARKED_GREENLET ? "met" : "NOT met", greenlets))
                .append('\n');
        out.append("- wrk hello world on epoll: measured by bench/run-wrk.sh, not by this runner\n");
        return out.toString();
    }

    private static String verdict(Target t, Result<?> greenloop, Result<?> peer) {
        if (greenloop == null || peer == null) {
            return "not measured in this run (" + (greenloop == null ? t.greenloop() : t.peer()) + " missing)";
        }
        double ratio = greenloop.getScore() / peer.getScore();
        boolean met = t.higherIsBetter() ? ratio >= t.limit() : ratio <= t.limit();
        return String.format(Locale.ROOT, "%s (ratio %.2f, %s %.1f)", met ? "met" : "NOT met", ratio,
                t.higherIsBetter() ? "needs at least" : "needs at most", t.limit());
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
