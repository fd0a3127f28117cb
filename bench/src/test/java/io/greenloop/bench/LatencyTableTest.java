package io.greenloop.bench;

import io.greenloop.bench.LatencyTable.Spread;
import io.greenloop.bench.LatencyTable.Verdict;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The latency table's arithmetic on fixed inputs: medians, ranges, verdicts, and the tables they go into. */
class LatencyTableTest {

    @Test
    void spreadIsTheMedianAndTheLowestAndHighestRound() {
        Spread odd = Spread.of(1.40, 0.81, 1.12);
        assertEquals(new Spread(1.12, 0.81, 1.40), odd);
        assertEquals("1.12 (0.81-1.40)", odd.toString());
        Spread even = Spread.of(1.30, 0.90, 1.10, 1.00);
        assertEquals(1.05, even.median(), 1e-9);
        assertEquals(0.90, even.low());
        assertEquals(1.30, even.high());
        assertEquals(new Spread(0.70, 0.70, 0.70), Spread.of(0.70));
        assertEquals("n/a", Spread.of(0.5, Double.NaN, 2.0).toString());
        assertThrows(IllegalArgumentException.class, Spread::of);
    }

    @Test
    void targetIsMetOnlyWhenBothWholeRangesAreAtOrBelowOne() {
        Spread below = new Spread(0.8, 0.6, 1.0);
        Spread straddles = new Spread(0.95, 0.7, 1.3);
        Spread above = new Spread(1.5, 1.01, 2.0);
        Spread missing = Spread.of(Double.NaN);
        assertEquals(Verdict.MET, LatencyTable.verdict(below, below));
        assertEquals(Verdict.UNDECIDED, LatencyTable.verdict(below, straddles));
        assertEquals(Verdict.UNDECIDED, LatencyTable.verdict(straddles, below));
        assertEquals(Verdict.NOT_MET, LatencyTable.verdict(below, above));
        assertEquals(Verdict.NOT_MET, LatencyTable.verdict(above, straddles));
        assertEquals(Verdict.UNDECIDED, LatencyTable.verdict(below, missing));
    }

    @Test
    void aRatioMeetsALineOnlyWithItsWholeRangeOnTheRightSide() {
        assertEquals(Verdict.MET, LatencyTable.against(new Spread(1.5, 1.3, 1.7), 1.3, true));
        assertEquals(Verdict.UNDECIDED, LatencyTable.against(new Spread(1.5, 1.2, 1.7), 1.3, true));
        assertEquals(Verdict.NOT_MET, LatencyTable.against(new Spread(1.1, 1.0, 1.29), 1.3, true));
        assertEquals(Verdict.MET, LatencyTable.against(new Spread(0.9, 0.8, 1.0), 1.0, false));
        assertEquals(Verdict.NOT_MET, LatencyTable.against(new Spread(1.2, 1.01, 1.4), 1.0, false));
        assertEquals(Verdict.UNDECIDED, LatencyTable.against(Spread.of(Double.NaN), 1.0, false));
    }

    @Test
    void overallIsMetOnlyWhenEveryPairIsAndNotMetWhenAnyIsNot() {
        assertEquals(Verdict.MET, LatencyTable.overall(List.of(Verdict.MET, Verdict.MET)));
        assertEquals(Verdict.UNDECIDED, LatencyTable.overall(List.of(Verdict.MET, Verdict.UNDECIDED)));
        assertEquals(Verdict.NOT_MET, LatencyTable.overall(List.of(Verdict.MET, Verdict.UNDECIDED, Verdict.NOT_MET)));
        assertEquals(Verdict.UNDECIDED, LatencyTable.overall(List.of()));
    }

    @Test
    void onlyRowsUpToSeventyFivePercentOrGivenRatesAreJudged() {
        assertTrue(new LatencyTable.Pair("http", 64, 1000, 0.75, "epoll").judged());
        assertFalse(new LatencyTable.Pair("http", 64, 1000, 0.90, "epoll").judged());
        assertTrue(new LatencyTable.Pair("http", 64, 1000, Double.NaN, "epoll").judged());
    }

    @Test
    void roundsGiveMedianRatiosARoundColumnAndAVerdictPerJudgedPair() {
        List<LatencyBenchmark.Row> rows = new ArrayList<>();
        // 50%: greenloop's p99 and p99.9 1.2x and 1.8x Netty's in the two rounds; 90%: better, but not judged.
        rows.add(row(0.50, "greenloop", 1, 1200));
        rows.add(row(0.50, "netty", 1, 1000));
        rows.add(row(0.90, "netty", 1, 1000));
        rows.add(row(0.90, "greenloop", 1, 500));
        rows.add(row(0.50, "netty", 2, 1000));
        rows.add(row(0.50, "greenloop", 2, 1800));
        rows.add(row(0.90, "greenloop", 2, 600));
        rows.add(row(0.90, "netty", 2, 1000));
        String table = LatencyTable.render(LatencyBenchmark.parse(new String[] {"default", "--rounds=2"}), rows, "");

        assertTrue(table.contains("| round | kind |"), table);
        assertTrue(table.contains("| 2 | http | 64 | 2,000 | 50 | greenloop epoll |"), table);
        assertTrue(table.contains("2 rounds: fewer than 5, not for claims."), table);
        assertTrue(table.contains("| http | 64 | 2,000 | 50 | epoll | 1.50 (1.20-1.80) | 1.50 (1.20-1.80) | 1.50 (1.20-1.80) | 1.50 (1.20-1.80) |"), table);
        assertTrue(table.contains("| http | 64 | 3,600 | 90 | epoll | 0.55 (0.50-0.60) |"), table);
        assertTrue(table.contains("- http, 64 conns, 2,000 req/s (50%), epoll: NOT met (p99 1.50 (1.20-1.80), p99.9 1.50 (1.20-1.80); 2 rounds)"), table);
        assertFalse(table.contains("3,600 req/s (90%)"), "a row above 75% was judged:\n" + table);
        assertTrue(table.contains("**Overall: NOT met** (1 pair judged: 0 met, 1 NOT met, 0 undecided; 2 rounds, fewer than 5: not for claims)"), table);
    }

    @Test
    void oneRoundKeepsThePlainRatioTableAndNoVerdict() {
        List<LatencyBenchmark.Row> rows = List.of(row(0.50, "greenloop", 1, 1200), row(0.50, "netty", 1, 1000));
        String table = LatencyTable.render(LatencyBenchmark.parse(new String[] {"default"}), rows, "");

        assertTrue(table.contains("| http | 64 | 2,000 | 50 | greenloop epoll |"), table);
        assertTrue(table.contains("| http | 64 | 2,000 | 50 | epoll | 1.20 | 1.20 | 1.20 | 1.20 |"), table);
        assertFalse(table.contains("round"), table);
        assertFalse(table.contains("Overall"), table);
    }

    @Test
    void theSpinTargetIsHalfOfNettyDefaultAndAtMostNettyBusyWaitUpToHalfOfSaturation() {
        List<LatencyBenchmark.Row> rows = new ArrayList<>();
        for (int round = 1; round <= 2; round++) {
            // 25%: 0.40x Netty, 0.80x busy-wait: met. 50%: 0.45x Netty, 1.125x busy-wait: NOT met. 75%: not judged.
            rows.add(row(0.25, "netty", round, 1000));
            rows.add(row(0.25, "netty-busywait", round, 500));
            rows.add(row(0.25, "greenloop-spin", round, 400));
            rows.add(row(0.50, "netty", round, 1000));
            rows.add(row(0.50, "netty-busywait", round, 400));
            rows.add(row(0.50, "greenloop-spin", round, 450));
            rows.add(row(0.75, "netty", round, 1000));
            rows.add(row(0.75, "netty-busywait", round, 100));
            rows.add(row(0.75, "greenloop-spin", round, 900));
        }
        String table = LatencyTable.render(LatencyBenchmark.parse(new String[] {"lowlatency", "--rounds=2"}), rows, "");

        assertTrue(table.contains("### greenloop spin / Netty, same transport, same rate"), table);
        assertTrue(table.contains("### greenloop spin / Netty busy-wait, same transport, same rate"), table);
        assertTrue(table.contains("- http, 64 conns, 1,000 req/s (25%), epoll: met (p99 / Netty 0.40 (0.40-0.40), p99 / Netty busy-wait 0.80 (0.80-0.80))"), table);
        assertTrue(table.contains("- http, 64 conns, 2,000 req/s (50%), epoll: NOT met"), table);
        assertFalse(table.contains("3,000 req/s (75%), epoll: "), "a row above 50% was judged:\n" + table);
        assertTrue(table.contains("**Overall: NOT met** (2 pairs judged: 1 met, 1 NOT met, 0 undecided; 2 rounds, fewer than 5: not for claims)"), table);
    }

    /** A row whose every latency is {@code nanos} (below 2,048 ns HdrHistogram holds it exactly). */
    static LatencyBenchmark.Row row(double fraction, String implementation, int round, long nanos) {
        Histogram latency = new Histogram(1, 1_000_000_000L, 3);
        latency.recordValueWithCount(nanos, 1000);
        Histogram lateness = new Histogram(1, 1_000_000_000L, 3);
        lateness.recordValue(1);
        OpenLoopClient.Result result = new OpenLoopClient.Result(1000, 0, 1, latency, lateness, 0.5);
        return new LatencyBenchmark.Row("http", 64, 4000 * fraction, fraction, implementation, "epoll", round, result, 5.0);
    }
}
