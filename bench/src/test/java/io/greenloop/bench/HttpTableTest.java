package io.greenloop.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP tables' arithmetic on fixed inputs: medians and ranges per server, ratios to Netty's codec, the targets. */
class HttpTableTest {

    private static final HttpBenchmark.Settings TWO_ROUNDS = HttpBenchmark.parse(new String[] {"quick", "--rounds=2"});

    @Test
    void throughputGivesMedianAndRangePerServerAndRatiosToNettysCodec() {
        List<HttpBenchmark.ThroughputRow> rows = List.of(
                row(HttpPeers.REFERENCE, 1, 100_000, 5.0), row("helidon", 1, 50_000, 10.0),
                row("helidon", 2, 70_000, 8.0), row(HttpPeers.REFERENCE, 2, 100_000, 4.0));
        String table = HttpTable.render(TWO_ROUNDS, new HttpBenchmark.Results(rows, List.of(), Map.of()), "");

        assertTrue(table.contains("| wrk -c64 | 1 | netty-codec | 100,000 (100,000-100,000) | 4.50 (4.00-5.00) | 0 | 1.00ms |"), table);
        assertTrue(table.contains("| wrk -c64 | 1 | helidon | 60,000 (50,000-70,000) | 9.00 (8.00-10.00) | 0 | 1.00ms |"), table);
        // Ratios pair rows of the same round: 0.50 and 0.70 in req/s, 2.00 and 2.00 in CPU per request.
        assertTrue(table.contains("| wrk -c64 | 1 | helidon | 0.60 (0.50-0.70) | 2.00 (2.00-2.00) |"), table);
        assertTrue(table.contains("Quick profile: a smoke run, not for claims."), table);
        assertTrue(table.contains("greenloop-http was not measured in this run: no target is judged."), table);
    }

    @Test
    void targetsAreJudgedOnGreenloopHttpsWholeRanges() {
        List<HttpBenchmark.ThroughputRow> rows = new ArrayList<>();
        for (int round = 1; round <= 2; round++) {
            rows.add(row(HttpPeers.SUBJECT, round, round == 1 ? 140_000 : 120_000, 4.0));
            rows.add(row(HttpPeers.HELIDON, round, 100_000, 8.0));
            rows.add(row(HttpPeers.REFERENCE, round, 110_000, 5.0));
        }
        List<LatencyBenchmark.Row> latency = List.of(LatencyTableTest.row(0.50, HttpPeers.SUBJECT, 1, 900),
                LatencyTableTest.row(0.50, HttpPeers.HELIDON, 1, 1000), LatencyTableTest.row(0.50, HttpPeers.REFERENCE, 1, 800));
        Map<String, Double> heap = new LinkedHashMap<>();
        heap.put(HttpPeers.SUBJECT, 2000.0);
        heap.put(HttpPeers.REFERENCE, 2500.0);
        String table = HttpTable.render(TWO_ROUNDS, new HttpBenchmark.Results(rows, latency, heap), "");

        // 1.40 and 1.20 against Helidon: the range spans 1.3.
        assertTrue(table.contains("- wrk -c64, 1 loop: req/s at least 1.3x helidon's: undecided (ratio 1.30 (1.20-1.40))"), table);
        // 1.27 and 1.09 against Netty's codec: all of it above 1.00.
        assertTrue(table.contains("- wrk -c64, 1 loop: req/s at least netty-codec's: met (ratio 1.18 (1.09-1.27))"), table);
        assertTrue(table.contains("- wrk -c64, 1 loop: CPU per request at most netty-codec's: met (ratio 0.80 (0.80-0.80))"), table);
        assertTrue(table.contains("p99 and p99.9 at most helidon's: met"), table);
        assertTrue(table.contains("p99 and p99.9 at most netty-codec's: NOT met"), table);
        assertTrue(table.contains("- heap per idle connection at most netty-codec's: met (2,000 against 2,500 bytes; one reading each)"), table);
        assertTrue(table.contains("**Overall: NOT met** (6 judged)"), table);
        assertFalse(table.contains("no target is judged"), table);
    }

    private static HttpBenchmark.ThroughputRow row(String server, int round, long requestsPerSecond, double cpu) {
        return new HttpBenchmark.ThroughputRow(HttpBenchmark.C64, 1, server, round,
                new Wrk.Result(requestsPerSecond, 1.0, 0, 0, "1.00ms"), cpu);
    }
}
