package io.greenloop.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The HTTP benchmark end to end on two real peers in child JVMs, with short rows and two rounds (about half a minute). */
class HttpBenchmarkTest {

    @Test
    void twoRoundsRotateThePeersAndMeasureEveryPhase() throws Exception {
        assumeTrue(Wrk.available(), "wrk is not installed here (bench/run-http.sh installs it)");
        HttpBenchmark.Scenario small = new HttpBenchmark.Scenario("wrk -c4", 4, 1);
        HttpBenchmark.Scenario pipelined = new HttpBenchmark.Scenario("pipelined 16, -c4", 4, 16);
        HttpBenchmark.Settings settings = new HttpBenchmark.Settings("quick", 2, 0, 1, List.of(small, pipelined), List.of(small),
                List.of(0.1), List.of(4), new LatencyBenchmark.Timing(2, 0.2, 0.5, 0.3), 100,
                List.of(HttpPeers.REFERENCE, "jdk-httpserver"), new HttpBenchmark.Cpus(null, null, "0-1"), null,
                Path.of("wrk-pipeline.lua"), null);
        StringBuilder notes = new StringBuilder();
        List<HttpPeers.Peer> peers = HttpBenchmark.available(settings, notes);
        HttpBenchmark.Results results = HttpBenchmark.run(settings, peers, 300, notes);

        // Round 1: netty first on the first scenario, jdk on the second; round 2 the other way; per-core rows likewise.
        assertEquals(List.of("netty-codec", "jdk-httpserver", "jdk-httpserver", "netty-codec",
                        "jdk-httpserver", "netty-codec", "netty-codec", "jdk-httpserver",
                        "netty-codec", "jdk-httpserver", "jdk-httpserver", "netty-codec"),
                results.throughput().stream().map(HttpBenchmark.ThroughputRow::server).toList());
        assertEquals(List.of(1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2),
                results.throughput().stream().map(HttpBenchmark.ThroughputRow::loops).toList());
        results.throughput().forEach(row -> assertTrue(row.wrk().requests() > 0, row.toString()));
        assertEquals(4, results.latency().size());
        results.latency().forEach(row -> assertTrue(row.result().answered() > 0, row.toString()));
        assertEquals(List.of(HttpPeers.REFERENCE, "jdk-httpserver"), List.copyOf(results.heap().keySet()));
        results.heap().forEach((server, bytes) -> assertTrue(bytes > 0, server + ": " + bytes + " bytes per idle connection"));

        String table = HttpTable.render(settings, results, notes.toString());
        assertTrue(table.contains("### jdk-httpserver / netty-codec, same rate: median over 2 rounds"), table);
        assertTrue(table.contains("| wrk -c4 | 2 | jdk-httpserver |"), table);
        assertTrue(table.contains("greenloop-http was not measured in this run"), table);
    }

    @Test
    void settingsRefuseWhatCannotRun() {
        assertThrows(IllegalArgumentException.class, () -> HttpBenchmark.parse(new String[] {"quick", "--only=nginx"}));
        assertThrows(IllegalArgumentException.class, () -> HttpBenchmark.parse(new String[] {"quick", "--server-cpus=1-a"}));
        assertThrows(IllegalArgumentException.class, () -> HttpBenchmark.parse(new String[] {"quick", "--rounds=0"}));
        assertThrows(IllegalArgumentException.class, () -> HttpBenchmark.parse(new String[] {"fast"}));
        assertEquals(3, HttpBenchmark.Cpus.count("0-1,3"));
        HttpBenchmark.Settings full = HttpBenchmark.parse(new String[] {"full"});
        assertEquals(5, full.rounds());
        assertEquals(5000, full.idleConnections());
        assertEquals(List.of(0.25, 0.50, 0.75), full.fractions());
    }

    @Test
    void quickProfileIsEstimatedAtAboutAMinute() {
        HttpBenchmark.Settings quick = HttpBenchmark.parse(new String[] {"quick", "--per-core-cpus=0-1"});
        double seconds = HttpBenchmark.estimatedSeconds(quick, HttpPeers.ALL);
        assertTrue(seconds > 40 && seconds < 120, seconds + " s");
    }
}
