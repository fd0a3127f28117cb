package io.greenloop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (closed loop: each connection sends its next request, or its next pipelined batch, when the
 * answers to the last have come) against one server and reads its summary. Thread rule: any thread; {@link #run}
 * blocks until wrk exits.
 */
final class Wrk {

    /** The request headers TechEmpower's plaintext test sends (its pipelined rows use them). */
    static final List<String> TECHEMPOWER_HEADERS = List.of("Host: localhost",
            "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7",
            "Connection: keep-alive");

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)\\b");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern P99 = Pattern.compile("^\\s*99(?:\\.000)?%\\s+(\\S+)\\s*$", Pattern.MULTILINE);

    /** wrk's summary: requests answered in the run and how long it took, its errors, and its (closed-loop) p99. */
    record Result(long requests, double seconds, long socketErrors, long non2xx, String p99) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        long errors() {
            return socketErrors + non2xx;
        }
    }

    /** One wrk run: where, how many connections and wrk threads, how long, and the pipelined batch (1: none). */
    record Run(int port, int connections, int threads, int seconds, int pipelineDepth) { }

    private Wrk() {
    }

    /** Whether a {@code wrk} is on the path. */
    static boolean available() {
        try {
            Process which = new ProcessBuilder("sh", "-c", "command -v wrk").redirectErrorStream(true).start();
            return which.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The command line of {@code run}, pinned to {@code cpus}; a pipelined run uses {@code pipelineScript}. */
    static List<String> command(Run run, String cpus, Path pipelineScript) {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + run.threads(), "-c" + run.connections(),
                "-d" + run.seconds() + "s", "--latency"));
        if (run.pipelineDepth() > 1) {
            command.addAll(List.of("-s", pipelineScript.toString()));
            TECHEMPOWER_HEADERS.forEach(h -> command.addAll(List.of("-H", h)));
        }
        command.add("http://127.0.0.1:" + run.port() + "/");
        if (run.pipelineDepth() > 1) {
            command.addAll(List.of("--", Integer.toString(run.pipelineDepth())));
        }
        return ServerProcess.pinned(cpus, command);
    }

    /** Runs wrk and returns its summary; wrk's failure (or a summary without a request count) is an IOException. */
    static Result run(Run run, String cpus, Path pipelineScript) throws IOException, InterruptedException {
        List<String> command = command(run, cpus, pipelineScript);
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(run.seconds() + 30L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            wrk.destroyForcibly();
            throw new IOException("wrk failed: " + String.join(" ", command) + "\n" + output);
        }
        return parse(output);
    }

    /** Reads wrk's summary; the request count is required, the rest defaults to none. */
    static Result parse(String output) throws IOException {
        Matcher requests = REQUESTS.matcher(output);
        if (!requests.find()) {
            throw new IOException("no \"N requests in T\" line in wrk's output:\n" + output);
        }
        double seconds = Double.parseDouble(requests.group(2)) * switch (requests.group(3)) {
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "m" -> 60;
            default -> 1;
        };
        long socketErrors = 0;
        Matcher errors = SOCKET_ERRORS.matcher(output);
        if (errors.find()) {
            for (int group = 1; group <= 4; group++) {
                socketErrors += Long.parseLong(errors.group(group));
            }
        }
        Matcher non2xx = NON_2XX.matcher(output);
        Matcher p99 = P99.matcher(output);
        return new Result(Long.parseLong(requests.group(1)), seconds, socketErrors,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, p99.find() ? p99.group(1) : "n/a");
    }
}
