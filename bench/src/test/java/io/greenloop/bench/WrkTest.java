package io.greenloop.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** wrk as {@link HttpBenchmark} runs it: its summary read, and a real pipelined run with bench/wrk-pipeline.lua. */
class WrkTest {

    /** surefire runs in bench/. */
    private static final Path PIPELINE_SCRIPT = Path.of("wrk-pipeline.lua");

    @Test
    void readsRequestsTimeErrorsAndP99FromTheSummary() throws IOException {
        Wrk.Result result = Wrk.parse("""
                Running 2s test @ http://127.0.0.1:8080/
                  1 threads and 1000 connections
                  Thread Stats   Avg      Stdev     Max   +/- Stdev
                    Latency    10.31ms    3.00ms  41.27ms   80.00%
                    Req/Sec    48.00k     2.00k   50.00k    70.00%
                  Latency Distribution
                     50%    9.87ms
                     75%   11.02ms
                     90%   13.50ms
                     99%   20.01ms
                  96000 requests in 2.00s, 8.00MB read
                  Socket errors: connect 0, read 12, write 3, timeout 5
                  Non-2xx or 3xx responses: 7
                Requests/sec:  47999.99
                Transfer/sec:      4.00MB
                """);
        assertEquals(96000, result.requests());
        assertEquals(2.0, result.seconds());
        assertEquals(48000, result.requestsPerSecond(), 1e-9);
        assertEquals(20, result.socketErrors());
        assertEquals(7, result.non2xx());
        assertEquals(27, result.errors());
        assertEquals("20.01ms", result.p99());
        assertEquals(1.5, Wrk.parse("  3 requests in 1.50s, 1KB read").seconds());
        assertEquals(0.25, Wrk.parse("  3 requests in 250.00ms, 1KB read").seconds());
        assertThrows(IOException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void aPipelinedRunSendsDepthRequestsPerWriteWithTechEmpowersHeaders() {
        List<String> command = Wrk.command(new Wrk.Run(8080, 256, 1, 5, 16), "0", PIPELINE_SCRIPT);
        assertEquals(List.of("taskset", "-c", "0", "wrk", "-t1", "-c256", "-d5s", "--latency", "-s", "wrk-pipeline.lua"),
                command.subList(0, 10));
        assertTrue(command.containsAll(List.of("-H", "Connection: keep-alive")), command.toString());
        assertEquals(List.of("http://127.0.0.1:8080/", "--", "16"), command.subList(command.size() - 3, command.size()));
        assertEquals(List.of("wrk", "-t1", "-c64", "-d5s", "--latency", "http://127.0.0.1:8080/"),
                Wrk.command(new Wrk.Run(8080, 64, 1, 5, 1), null, PIPELINE_SCRIPT));
    }

    /**
     * The Lua script against a server that answers only whole batches of 16: it holds its answers until a connection
     * has sent 16 requests, so wrk gets answers (and counts no error) only if every write it makes carries 16.
     */
    @Test
    void pipelinedRunSendsSixteenRequestsAtOnceAndCountsEveryAnswer() throws Exception {
        assumeTrue(Wrk.available(), "wrk is not installed here (bench/run-http.sh installs it)");
        int depth = 16;
        try (ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> answerWholeBatches(listener, depth));
            Wrk.Result result = Wrk.run(new Wrk.Run(listener.getLocalPort(), 2, 1, 1, depth), null, PIPELINE_SCRIPT);
            listener.close();
            acceptor.join();
            assertTrue(result.requests() >= depth, result.toString());
            assertEquals(0, result.errors(), result.toString());
        }
    }

    private static void answerWholeBatches(ServerSocket listener, int depth) {
        try {
            while (true) {
                Socket socket = listener.accept();
                Thread.ofVirtual().start(() -> {
                    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                        RequestFraming framing = new RequestFraming();
                        byte[] buffer = new byte[64 * 1024];
                        int pending = 0;
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            pending += framing.completedRequests(buffer, 0, n);
                            if (pending >= depth) {
                                out.write(RequestFraming.responses(pending));
                                pending = 0;
                            }
                        }
                    } catch (IOException e) {
                        // wrk closed the connection at the end of its run
                    }
                });
            }
        } catch (IOException e) {
            // the listener closed: the test is over
        }
    }
}
