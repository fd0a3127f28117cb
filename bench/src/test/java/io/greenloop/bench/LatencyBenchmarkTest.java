package io.greenloop.bench;

import io.greenloop.Loop;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The latency benchmark end to end: its servers in child JVMs, a low rate, two rounds (a few seconds). */
class LatencyBenchmarkTest {

    @Test
    void twoRoundsMeasureEachServerTwiceInAlternatingOrderAndAnswerEveryRequest() throws Exception {
        LatencyBenchmark.Settings settings = LatencyBenchmark.parse(new String[] {"quick", "--kinds=http",
                "--transports=nio", "--connections=4", "--rates=200", "--rounds=2", "--warmup=0.2", "--seconds=0.5"});
        List<LatencyBenchmark.Row> rows = LatencyBenchmark.run(settings, new StringBuilder());

        assertEquals(List.of(1, 1, 2, 2), rows.stream().map(LatencyBenchmark.Row::round).toList());
        assertEquals(List.of("greenloop", "netty", "netty", "greenloop"),
                rows.stream().map(LatencyBenchmark.Row::implementation).toList());
        for (LatencyBenchmark.Row row : rows) {
            // 100 requests are due in the measured half second (200/s); a slow machine answers late, not fewer.
            assertEquals(0, row.result().unanswered(), row.toString());
            assertTrue(Math.abs(row.result().answered() - 100) <= 1, row.toString());
            assertEquals(row.result().answered(), row.result().latency().getTotalCount(), row.toString());
        }
        String table = LatencyTable.render(settings, rows, "");
        assertTrue(table.contains("median over 2 rounds"), table);
        assertTrue(table.contains("- http, 4 conns, 200 req/s, nio: "), table);
    }

    @Test
    void theCFloorIsMeasuredBesideGreenloopAndNettyOnEpollWithItsOwnRatios() throws Exception {
        Path floor = CompiledFloor.path();
        assumeTrue(floor != null, "the C floor's source or gcc is absent here (bench/peers.sh said which above)");
        assumeTrue(Loop.availableTransports().contains("epoll") && NettyPeers.available().contains("epoll"), "no epoll here");
        LatencyBenchmark.Settings settings = LatencyBenchmark.parse(new String[] {"quick", "--kinds=http",
                "--transports=epoll", "--connections=4", "--rates=200", "--rounds=2", "--warmup=0.2", "--seconds=0.5",
                "--floor=" + floor});
        List<LatencyBenchmark.Row> rows = LatencyBenchmark.run(settings, new StringBuilder());

        // Each round rotates who goes first, so the floor's place moves with the others'.
        assertEquals(List.of("greenloop", "netty", LatencyBenchmark.FLOOR, "netty", LatencyBenchmark.FLOOR, "greenloop"),
                rows.stream().map(LatencyBenchmark.Row::implementation).toList());
        for (LatencyBenchmark.Row row : rows) {
            assertEquals(0, row.result().unanswered(), row.toString());
            assertTrue(Math.abs(row.result().answered() - 100) <= 1, row.toString());
        }
        String table = LatencyTable.render(settings, rows, "");
        assertTrue(table.contains("### greenloop / C floor (epoll_hello), epoll, same rate"), table);
        assertTrue(table.contains("| 2 | http | 4 | 200 |  | c-floor epoll | 200 |"), table);
    }

    /**
     * The low-latency matrix on its smallest scale: the spinning peers beside the default ones, on epoll, the servers
     * pinned to one CPU (each spinning one frozen while another is measured: {@link ServerProcessTest}).
     */
    @Test
    void theLowLatencyPeersAreMeasuredPinnedWithRatiosToBothNettyStrategies() throws Exception {
        assumeTrue(Loop.availableTransports().contains("epoll") && NettyPeers.available().contains("epoll"), "no epoll here");
        String serverCpu = Integer.toString(HttpBenchmark.Cpus.online() - 1);
        LatencyBenchmark.Settings settings = LatencyBenchmark.parse(new String[] {"lowlatency", "--kinds=echo",
                "--implementations=greenloop,greenloop-spin,netty,netty-busywait", "--connections=1", "--rates=200",
                "--rounds=2", "--warmup=0.2", "--seconds=0.5", "--server-cpus=" + serverCpu});
        List<LatencyBenchmark.Row> rows = LatencyBenchmark.run(settings, new StringBuilder());

        assertEquals(8, rows.size(), rows.toString());
        for (LatencyBenchmark.Row row : rows) {
            assertEquals(0, row.result().unanswered(), row.toString());
            assertTrue(Math.abs(row.result().answered() - 100) <= 1, row.toString());
        }
        String table = LatencyTable.render(settings, rows, "");
        assertTrue(table.contains("### greenloop spin / Netty busy-wait, same transport, same rate"), table);
        assertTrue(table.contains("### greenloop / Netty, same transport, same rate"), table);
        assertTrue(table.contains("servers on CPUs " + serverCpu), table);
        assertTrue(table.contains("### Target: greenloop spin's p99 at most 0.5x Netty default's"), table);
    }

    @Test
    void theLowLatencyProfileIsIssue25sMatrixAndRatesMixWithFractionsOnlyWhenBothAreAsked() {
        LatencyBenchmark.Settings low = LatencyBenchmark.parse(new String[] {"lowlatency"});
        assertEquals(List.of("http", "echo"), low.kinds());
        assertEquals(List.of("epoll"), low.transports());
        assertEquals(LatencyServer.IMPLEMENTATIONS, low.implementations());
        assertEquals(List.of(1, 64), low.connections());
        assertEquals(List.of(1_000.0, 5_000.0, 25_000.0), low.rates());
        assertEquals(List.of(0.50), low.fractions());
        assertEquals(5, low.rounds());
        double seconds = LatencyBenchmark.estimatedSeconds(low, Map.of("http", List.of("epoll"), "echo", List.of("epoll")));
        assertTrue(seconds > 20 * 60 && seconds < 45 * 60, seconds + " s");
        assertEquals(List.of(), LatencyBenchmark.parse(new String[] {"quick", "--rates=200"}).fractions());
        assertEquals(List.of(0.25), LatencyBenchmark.parse(new String[] {"quick", "--rates=200", "--fractions=25"}).fractions());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> LatencyBenchmark.parse(new String[] {"lowlatency", "--implementations=greenloop,vertx"}));
        assertTrue(unknown.getMessage().contains("no server \"vertx\""), unknown.getMessage());
    }

    @Test
    void aFloorThatIsNotThereIsRefusedWithWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LatencyBenchmark.parse(new String[] {"quick", "--floor=/nonexistent/epoll_hello"}));
        assertTrue(e.getMessage().contains("run-latency.sh compiles it"), e.getMessage());
    }

    @Test
    void claimsProfileRunsFiveRoundsOfTheTargetsRatesInUnderFifteenMinutes() {
        LatencyBenchmark.Settings claims = LatencyBenchmark.parse(new String[] {"claims"});
        assertEquals(5, claims.rounds());
        assertEquals(List.of(0.25, 0.50, 0.75), claims.fractions());
        assertEquals(List.of(64, 1000), claims.connections());
        double seconds = LatencyBenchmark.estimatedSeconds(claims, Map.of("http", List.of("epoll", "nio")));
        assertTrue(seconds > 8 * 60 && seconds < 15 * 60, seconds + " s");
        assertEquals(1, LatencyBenchmark.parse(new String[] {"default"}).rounds());
        assertEquals(1, LatencyBenchmark.parse(new String[] {"quick"}).rounds());
        assertEquals(3, LatencyBenchmark.parse(new String[] {"quick", "--rounds=3"}).rounds());
        assertThrows(IllegalArgumentException.class, () -> LatencyBenchmark.parse(new String[] {"--rounds=0"}));
    }
}
