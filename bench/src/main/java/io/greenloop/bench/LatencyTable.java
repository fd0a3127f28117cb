package io.greenloop.bench;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * Renders {@link LatencyBenchmark}'s rows as the markdown {@code bench/README.md} takes: one table of every
 * server's percentiles, then one of greenloop / Netty ratios per rate and transport (below 1.00: greenloop lower).
 */
final class LatencyTable {

    private LatencyTable() {
    }

    static String render(LatencyBenchmark.Settings settings, List<LatencyBenchmark.Row> rows, String notes) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "## Latency (profile %s, %d CPUs, %s %s; %.1f s warm-up + %.1f s measured per row)%n%n",
                settings.profile(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), settings.warmupSeconds(), settings.measureSeconds()));
        if (settings.profile().equals("quick")) {
            out.append("Quick profile: a smoke run, not for claims.\n\n");
        }
        out.append(notes).append('\n');
        out.append("Latency from the intended send time, in ms. \"late\" is the load generator's own lateness "
                + "(when each request went out against when it was due; p99 / max, ms): when it is near the latencies, the generator, not the server, is what was measured. \"server CPU\" is "
                + "the server process's CPU time (all threads, /proc/PID/stat, 10 ms resolution) per request over the row's warm-up "
                + "and measurement.\n\n");
        out.append("| kind | conns | rate (req/s) | % sat | server | answered/s | p50 | p99 | p99.9 | max | unanswered | late p99 / max | generator CPU | server CPU us/req |\n");
        out.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (LatencyBenchmark.Row row : rows) {
            OpenLoopClient.Result r = row.result();
            Histogram h = r.latency();
            out.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s | %s %s | %,.0f | %s | %s | %s | %s | %,d | %s / %s | %.0f%% | %.1f |%n",
                    row.kind(), row.connections(), row.rate(), percent(row.fraction()), row.implementation(), row.transport(),
                    r.answersPerSecond(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), r.unanswered(),
                    ms(r.lateness().getValueAtPercentile(99)), ms(r.lateness().getMaxValue()), 100 * r.clientCpuShare(),
                    row.serverCpuMicrosPerRequest()));
        }
        out.append("\n### greenloop / Netty, same transport, same rate (below 1.00: greenloop's latency is lower)\n\n");
        out.append("| kind | conns | rate (req/s) | % sat | transport | p50 | p99 | p99.9 | max |\n");
        out.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n");
        for (LatencyBenchmark.Row g : rows) {
            if (!g.implementation().equals("greenloop")) {
                continue;
            }
            for (LatencyBenchmark.Row n : rows) {
                if (n.implementation().equals("netty") && n.kind().equals(g.kind()) && n.connections() == g.connections()
                        && n.rate() == g.rate() && n.transport().equals(g.transport())) {
                    Histogram gh = g.result().latency();
                    Histogram nh = n.result().latency();
                    out.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s | %s | %s | %s | %s | %s |%n",
                            g.kind(), g.connections(), g.rate(), percent(g.fraction()), g.transport(),
                            ratio(gh, nh, 50), ratio(gh, nh, 99), ratio(gh, nh, 99.9), ratio(gh.getMaxValue(), nh.getMaxValue())));
                }
            }
        }
        return out.toString();
    }

    /** One line per row as it is measured, so a long run shows progress. */
    static String progressLine(LatencyBenchmark.Row row) {
        Histogram h = row.result().latency();
        return String.format(Locale.ROOT, "%s %d conns %,.0f req/s %s %s: answered %,.0f/s p50 %s p99 %s p99.9 %s max %s ms; late p99 %s ms; server CPU %.1f us/req",
                row.kind(), row.connections(), row.rate(), row.implementation(), row.transport(), row.result().answersPerSecond(),
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                ms(h.getMaxValue()), ms(row.result().lateness().getValueAtPercentile(99)), row.serverCpuMicrosPerRequest());
    }

    private static String ms(long nanos) {
        double ms = nanos / 1e6;
        return String.format(Locale.ROOT, ms < 10 ? "%.3f" : ms < 100 ? "%.2f" : "%.1f", ms);
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "" : String.format(Locale.ROOT, "%.0f", fraction * 100);
    }

    private static String ratio(Histogram greenloop, Histogram netty, double percentile) {
        return ratio(greenloop.getValueAtPercentile(percentile), netty.getValueAtPercentile(percentile));
    }

    private static String ratio(long greenloop, long netty) {
        return netty == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", greenloop / (double) netty);
    }
}
