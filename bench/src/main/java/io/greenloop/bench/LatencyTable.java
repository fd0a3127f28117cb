package io.greenloop.bench;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Renders {@link LatencyBenchmark}'s rows as the markdown {@code bench/README.md} takes: one table of every
 * server's percentiles, then one of greenloop / Netty ratios per rate and transport (below 1.00: greenloop lower),
 * one per greenloop idle strategy and Netty select strategy measured. With more than one round the ratios are each
 * pair's median over the rounds with its range, followed by a verdict per pair on the issues' targets and an overall
 * one: a target is met only when the whole range is on the right side of its line.
 */
final class LatencyTable {

    /** The target covers every rate up to this fraction of saturation; rows above it are not judged. */
    static final double TARGET_MAX_FRACTION = 0.75;
    /** Issue 25's spin target covers every rate up to half of saturation. */
    static final double SPIN_TARGET_MAX_FRACTION = 0.50;
    /** Issue 25: a spinning greenloop's p99 at most half of Netty's default (and at most Netty busy-wait's). */
    static final double SPIN_VERSUS_NETTY_DEFAULT = 0.5;
    /** Fewer rounds than this are not for claims: the median of 5 shrugs off one or two disturbed rounds. */
    static final int ROUNDS_FOR_CLAIMS = 5;

    /** p50, p99, p99.9 and max, the columns of both tables, in that order. */
    private static final List<ToLongFunction<Histogram>> COLUMNS = List.of(h -> h.getValueAtPercentile(50),
            h -> h.getValueAtPercentile(99), h -> h.getValueAtPercentile(99.9), Histogram::getMaxValue);

    /** A target's verdict from ranges of ratios. */
    enum Verdict {
        MET("met"), NOT_MET("NOT met"), UNDECIDED("undecided");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A greenloop / Netty ratio over rounds: its median and its range; all NaN when a round had no Netty figure. */
    record Spread(double median, double low, double high) {

        static Spread of(double... ratios) {
            if (ratios.length == 0) {
                throw new IllegalArgumentException("no ratios: a spread needs at least one round");
            }
            double[] sorted = ratios.clone();
            Arrays.sort(sorted);
            if (Double.isNaN(sorted[sorted.length - 1])) {  // sort puts NaN last
                return new Spread(Double.NaN, Double.NaN, Double.NaN);
            }
            int middle = sorted.length / 2;
            double median = sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
            return new Spread(median, sorted[0], sorted[sorted.length - 1]);
        }

        @Override
        public String toString() {
            return Double.isNaN(median) ? "n/a" : String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", median, low, high);
        }
    }

    /** What a ratio compares: greenloop and Netty on one transport, at one kind, connection count and rate. */
    record Pair(String kind, int connections, double rate, double fraction, String transport) {

        static Pair of(LatencyBenchmark.Row row) {
            return new Pair(row.kind(), row.connections(), row.rate(), row.fraction(), row.transport());
        }

        /** Whether the target covers this pair: at most 75% of saturation, or every row when rates were given. */
        boolean judged() {
            return judged(TARGET_MAX_FRACTION);
        }

        /** Whether a target up to {@code maxFraction} of saturation covers this pair (every row without a saturation). */
        boolean judged(double maxFraction) {
            return Double.isNaN(fraction) || fraction <= maxFraction + 1e-9;
        }
    }

    /** One round of a pair: the row of the server compared and the row of the one it is compared with. */
    record Round(LatencyBenchmark.Row subject, LatencyBenchmark.Row peer) { }

    private LatencyTable() {
    }

    /**
     * The target "p99 and p99.9 at most Netty's": met when both whole ranges are at or below 1.00, NOT met when
     * either whole range is above it, undecided otherwise (and when a ratio is missing).
     */
    static Verdict verdict(Spread p99, Spread p999) {
        return overall(List.of(against(p99, 1, false), against(p999, 1, false)));
    }

    /**
     * A ratio's verdict against {@code line}: met when its whole range is on the right side ({@code higherIsBetter}:
     * at or above the line; else at or below it), NOT met when its whole range is on the wrong side, undecided when
     * the range spans the line or the ratio is missing.
     */
    static Verdict against(Spread ratio, double line, boolean higherIsBetter) {
        double worst = higherIsBetter ? ratio.low() : ratio.high();
        double best = higherIsBetter ? ratio.high() : ratio.low();
        if (higherIsBetter ? worst >= line : worst <= line) {
            return Verdict.MET;
        }
        return (higherIsBetter ? best < line : best > line) ? Verdict.NOT_MET : Verdict.UNDECIDED;
    }

    /** Met at every rate only when every pair met it; NOT met when one did not; else (or with no pairs) undecided. */
    static Verdict overall(Collection<Verdict> verdicts) {
        if (verdicts.contains(Verdict.NOT_MET)) {
            return Verdict.NOT_MET;
        }
        return !verdicts.isEmpty() && verdicts.stream().allMatch(v -> v == Verdict.MET) ? Verdict.MET : Verdict.UNDECIDED;
    }

    /**
     * Each pair's rounds, {@code subject}'s rows against {@code peer}'s (implementation names) in the same round at the
     * same kind, connection count, rate and transport; pairs in the order their first subject row was measured.
     */
    static Map<Pair, List<Round>> pairs(List<LatencyBenchmark.Row> rows, String subject, String peer) {
        Map<Pair, List<Round>> pairs = new LinkedHashMap<>();
        for (LatencyBenchmark.Row s : rows) {
            if (!s.implementation().equals(subject)) {
                continue;
            }
            for (LatencyBenchmark.Row p : rows) {
                if (p.implementation().equals(peer) && p.round() == s.round() && Pair.of(p).equals(Pair.of(s))) {
                    pairs.computeIfAbsent(Pair.of(s), k -> new ArrayList<>()).add(new Round(s, p));
                }
            }
        }
        return pairs;
    }

    /** The ratio of one column (0: p50 ... 3: max) over a pair's rounds. */
    static Spread spread(List<Round> rounds, int column) {
        ToLongFunction<Histogram> value = COLUMNS.get(column);
        return Spread.of(rounds.stream().mapToDouble(r -> ratio(value.applyAsLong(r.subject().result().latency()),
                value.applyAsLong(r.peer().result().latency()))).toArray());
    }

    static String render(LatencyBenchmark.Settings settings, List<LatencyBenchmark.Row> rows, String notes) {
        int rounds = settings.rounds();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "## Latency (profile %s, %d CPUs, %s %s; %.1f s warm-up + %.1f s measured per row%s%s)%n%n",
                settings.profile(), HttpBenchmark.Cpus.online(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), settings.warmupSeconds(), settings.measureSeconds(),
                rounds > 1 ? ", " + rounds + " rounds" : "", pinning(settings)));
        if (settings.profile().equals("quick")) {
            out.append("Quick profile: a smoke run, not for claims.\n\n");
        } else if (rounds > 1 && rounds < ROUNDS_FOR_CLAIMS) {
            out.append(rounds).append(" rounds: fewer than ").append(ROUNDS_FOR_CLAIMS).append(", not for claims.\n\n");
        }
        out.append(notes).append('\n');
        out.append("Latency from the intended send time, in ms. \"late\" is the load generator's own lateness "
                + "(when each request went out against when it was due; p99 / max, ms): when it is near the latencies, the generator, not the server, is what was measured. \"server CPU\" is "
                + "the server process's CPU time (all threads, /proc/PID/stat, 10 ms resolution) per request over the row's warm-up "
                + "and measurement.\n\n");
        appendRows(out, rows, rounds > 1);
        List<String> measured = rows.stream().map(LatencyBenchmark.Row::implementation).distinct().toList();
        for (String subject : measured.stream().filter(name -> name.startsWith("greenloop")).toList()) {
            for (String peer : measured.stream().filter(name -> name.startsWith("netty")).toList()) {
                appendRatios(out, label(subject) + " / " + label(peer) + ", same transport, same rate", pairs(rows, subject, peer), rounds);
            }
            Map<Pair, List<Round>> floor = pairs(rows, subject, LatencyBenchmark.FLOOR);
            if (!floor.isEmpty()) {
                appendRatios(out, label(subject) + " / C floor (epoll_hello), epoll, same rate", floor, rounds);
            }
        }
        if (rounds > 1) {
            appendVerdicts(out, pairs(rows, "greenloop", "netty"), rounds);
            if (measured.contains("greenloop-spin") && measured.contains("netty") && measured.contains("netty-busywait")) {
                appendSpinVerdicts(out, pairs(rows, "greenloop-spin", "netty"), pairs(rows, "greenloop-spin", "netty-busywait"), rounds);
            }
        }
        return out.toString();
    }

    /** How a server is named in titles: greenloop's idle strategy and Netty's select strategy spelled out. */
    static String label(String implementation) {
        return switch (implementation) {
            case "netty" -> "Netty";
            case "netty-busywait" -> "Netty busy-wait";
            case "greenloop-spin" -> "greenloop spin";
            case "greenloop-backoff" -> "greenloop backoff";
            default -> implementation;
        };
    }

    /** Where the servers and the load generator ran, when pinned. */
    private static String pinning(LatencyBenchmark.Settings settings) {
        return (settings.serverCpus() == null ? "" : "; servers on CPUs " + settings.serverCpus())
                + (settings.clientCpus() == null ? "" : ", load generator on CPUs " + settings.clientCpus());
    }

    static void appendRows(StringBuilder out, List<LatencyBenchmark.Row> rows, boolean withRound) {
        out.append(withRound ? "| round " : "").append("| kind | conns | rate (req/s) | % sat | server | answered/s | p50 | p99 | p99.9 | max | unanswered | late p99 / max | generator CPU | server CPU us/req |\n");
        out.append(withRound ? "| ---: " : "").append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (LatencyBenchmark.Row row : rows) {
            OpenLoopClient.Result r = row.result();
            Histogram h = r.latency();
            out.append(withRound ? "| " + row.round() + " " : "");
            out.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s | %s %s | %,.0f | %s | %s | %s | %s | %,d | %s / %s | %.0f%% | %.1f |%n",
                    row.kind(), row.connections(), row.rate(), percent(row.fraction()), row.implementation(), row.transport(),
                    r.answersPerSecond(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), r.unanswered(),
                    ms(r.lateness().getValueAtPercentile(99)), ms(r.lateness().getMaxValue()), 100 * r.clientCpuShare(),
                    row.serverCpuMicrosPerRequest()));
        }
    }

    /**
     * One round: each ratio as it is. More: each ratio's median over the rounds and its range. {@code title} names
     * the two sides, subject first ("greenloop / Netty, same transport, same rate").
     */
    static void appendRatios(StringBuilder out, String title, Map<Pair, List<Round>> pairs, int rounds) {
        String subject = title.substring(0, title.indexOf(" / "));
        out.append("\n### ").append(title).append(rounds == 1 ? "" : ": median over " + rounds + " rounds (lowest-highest round)")
                .append(" (below 1.00: ").append(subject).append("'s latency is lower)\n\n");
        out.append("| kind | conns | rate (req/s) | % sat | transport | p50 | p99 | p99.9 | max |\n");
        out.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n");
        for (Map.Entry<Pair, List<Round>> e : pairs.entrySet()) {
            Pair p = e.getKey();
            out.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s | %s |", p.kind(), p.connections(), p.rate(),
                    percent(p.fraction()), p.transport()));
            for (int column = 0; column < COLUMNS.size(); column++) {
                Spread s = spread(e.getValue(), column);
                out.append(' ').append(rounds == 1 ? ratio(s.median()) : s.toString()).append(" |");
            }
            out.append('\n');
        }
    }

    private static void appendVerdicts(StringBuilder out, Map<Pair, List<Round>> pairs, int rounds) {
        out.append(String.format(Locale.ROOT, "%n### Target: p99 and p99.9 at most Netty's on the same transport at every rate up to %.0f%% of saturation%n%n",
                100 * TARGET_MAX_FRACTION));
        out.append("Met only when the whole range of both ratios is at or below 1.00; NOT met when the whole range of either is above it.\n\n");
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<Pair, List<Round>> e : pairs.entrySet()) {
            Pair p = e.getKey();
            if (!p.judged()) {
                continue;
            }
            Spread p99 = spread(e.getValue(), 1);
            Spread p999 = spread(e.getValue(), 2);
            Verdict v = verdict(p99, p999);
            verdicts.add(v);
            out.append(String.format(Locale.ROOT, "- %s, %,d conns, %,.0f req/s%s, %s: %s (p99 %s, p99.9 %s; %d rounds)%n",
                    p.kind(), p.connections(), p.rate(), Double.isNaN(p.fraction()) ? "" : " (" + percent(p.fraction()) + "%)",
                    p.transport(), v, p99, p999, e.getValue().size()));
        }
        Verdict overall = overall(verdicts);
        out.append(String.format(Locale.ROOT, "%n**Overall: %s** (%d pair%s judged: %d met, %d NOT met, %d undecided%s%s)%n", overall,
                verdicts.size(), verdicts.size() == 1 ? "" : "s", count(verdicts, Verdict.MET), count(verdicts, Verdict.NOT_MET), count(verdicts, Verdict.UNDECIDED),
                verdicts.isEmpty() ? "; no row at or below " + percent(TARGET_MAX_FRACTION) + "% of saturation was measured" : "",
                rounds < ROUNDS_FOR_CLAIMS ? "; " + rounds + " rounds, fewer than " + ROUNDS_FOR_CLAIMS + ": not for claims" : ""));
    }

    /**
     * Issue 25's spin target: greenloop spin's p99 at most {@value #SPIN_VERSUS_NETTY_DEFAULT}x Netty default's and at
     * most Netty busy-wait's, at every rate up to half of saturation; each judged on its whole range of ratios.
     */
    static void appendSpinVerdicts(StringBuilder out, Map<Pair, List<Round>> versusDefault, Map<Pair, List<Round>> versusBusyWait,
                                   int rounds) {
        out.append(String.format(Locale.ROOT, "%n### Target: greenloop spin's p99 at most %.1fx Netty default's and at most Netty"
                + " busy-wait's, every rate up to %.0f%% of saturation%n%n", SPIN_VERSUS_NETTY_DEFAULT, 100 * SPIN_TARGET_MAX_FRACTION));
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<Pair, List<Round>> e : versusDefault.entrySet()) {
            Pair p = e.getKey();
            List<Round> busyWait = versusBusyWait.get(p);
            if (!p.judged(SPIN_TARGET_MAX_FRACTION) || busyWait == null) {
                continue;
            }
            Spread p99Default = spread(e.getValue(), 1);
            Spread p99BusyWait = spread(busyWait, 1);
            Verdict v = overall(List.of(against(p99Default, SPIN_VERSUS_NETTY_DEFAULT, false), against(p99BusyWait, 1, false)));
            verdicts.add(v);
            out.append(String.format(Locale.ROOT, "- %s, %,d conns, %,.0f req/s%s, %s: %s (p99 / Netty %s, p99 / Netty busy-wait %s)%n",
                    p.kind(), p.connections(), p.rate(), Double.isNaN(p.fraction()) ? "" : " (" + percent(p.fraction()) + "%)",
                    p.transport(), v, p99Default, p99BusyWait));
        }
        out.append(String.format(Locale.ROOT, "%n**Overall: %s** (%d pair%s judged: %d met, %d NOT met, %d undecided%s)%n",
                overall(verdicts), verdicts.size(), verdicts.size() == 1 ? "" : "s", count(verdicts, Verdict.MET),
                count(verdicts, Verdict.NOT_MET), count(verdicts, Verdict.UNDECIDED),
                rounds < ROUNDS_FOR_CLAIMS ? "; " + rounds + " rounds, fewer than " + ROUNDS_FOR_CLAIMS + ": not for claims" : ""));
    }

    private static long count(List<Verdict> verdicts, Verdict which) {
        return verdicts.stream().filter(v -> v == which).count();
    }

    /** One line per row as it is measured, so a long run shows progress. */
    static String progressLine(LatencyBenchmark.Row row, int rounds) {
        Histogram h = row.result().latency();
        return String.format(Locale.ROOT, "%s%s %d conns %,.0f req/s %s %s: answered %,.0f/s p50 %s p99 %s p99.9 %s max %s ms; late p99 %s ms; server CPU %.1f us/req",
                rounds > 1 ? "round " + row.round() + "/" + rounds + " " : "",
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

    private static double ratio(long greenloop, long netty) {
        return netty == 0 ? Double.NaN : greenloop / (double) netty;
    }

    private static String ratio(double ratio) {
        return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f", ratio);
    }
}
