package io.greenloop.bench;

import io.greenloop.Loop;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs every benchmark of this module with one command, then the parked-memory measurement, and prints
 * a summary with the ratios the targets are stated in (also written to
 * {@code target/bench-summary.md}; JMH's own results go to {@code target/jmh-result.json}).
 *
 * <p>Usage: {@code RunBenchmarks [quick|full|claims] [--no-memory|--only-memory] [--memory-count=N] [JMH options and
 * benchmark regexps]}. The profile sets forks, warm-up and measurement unless the JMH options set them;
 * {@code transport} and {@code nettyTransport} default to the transports available on this machine.
 * {@code RunBenchmarks compare [quick|full|claims] [--rounds=N] [--pairs=REGEXP,...] [JMH options]} instead runs
 * each compared pair alternately, one fork at a time, for N rounds ({@link CompareRuns}) and reports median ratios
 * and their ranges. {@code RunBenchmarks --transports} only prints greenloop's available transports, best first.
 */
public final class RunBenchmarks {

    /**
     * How many forks and iterations each profile uses. Quick is sized to finish within 10 minutes on 2 cores and
     * is for smoke runs only: its 99.9% intervals are often wider than the score. Claims (50 measured iterations
     * over 5 forks per benchmark, ~40 minutes for everything; name the benchmarks you claim about) is the one
     * for README figures: JMH's interval narrows with the square root of the iterations and, with 5 forks, also
     * covers fork-to-fork variation; a target is then met only when its ratio's interval is clear of the line.
     */
    enum Profile {
        QUICK(1, 3, 1, 3, 1),
        FULL(3, 5, 2, 5, 2),
        CLAIMS(5, 5, 1, 10, 1);

        final int forks;
        final int warmups;
        final int warmupSeconds;
        final int iterations;
        final int iterationSeconds;

        Profile(int forks, int warmups, int warmupSeconds, int iterations, int iterationSeconds) {
            this.forks = forks;
            this.warmups = warmups;
            this.warmupSeconds = warmupSeconds;
            this.iterations = iterations;
            this.iterationSeconds = iterationSeconds;
        }
    }

    /** The memory child JVMs' heap ceiling: a million parked strands of a few KiB each fit well within it. */
    private static final String MEMORY_HEAP = "-Xmx6g";
    private static final long MEMORY_TIMEOUT_MINUTES = 10;
    private static final Path TARGET = Path.of("target");
    private static final List<String> PROFILES = List.of("quick", "full", "claims");

    private RunBenchmarks() {
    }

    /** Runs the benchmarks; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (rest.equals(List.of("--transports"))) {
            System.out.println(String.join(" ", Loop.availableTransports()));  // for bench/run-wrk.sh
            return;
        }
        boolean compare = !rest.isEmpty() && rest.getFirst().equals("compare") && rest.remove("compare");
        Profile profile = Profile.QUICK;
        if (!rest.isEmpty() && PROFILES.contains(rest.getFirst())) {
            profile = Profile.valueOf(rest.removeFirst().toUpperCase(Locale.ROOT));
        }
        if (compare) {
            runCompare(profile, rest);
            return;
        }
        boolean memory = !rest.remove("--no-memory");
        boolean onlyMemory = rest.remove("--only-memory");
        int memoryCount = ParkedMemory.DEFAULT_COUNT;
        for (String arg : List.copyOf(rest)) {
            if (arg.startsWith("--memory-count=")) {
                memoryCount = Integer.parseInt(arg.substring("--memory-count=".length()));
                rest.remove(arg);
            }
        }
        CommandLineOptions command = new CommandLineOptions(rest.toArray(String[]::new));
        if (command.shouldHelp() || command.shouldList()) {
            new Runner(command).list();
            return;
        }
        memory &= onlyMemory || command.getIncludes().isEmpty()
                || command.getIncludes().stream().anyMatch(regexp -> Pattern.compile(regexp).matcher("ParkedMemory").find());
        Files.createDirectories(TARGET);
        Collection<RunResult> results = onlyMemory ? List.of() : new Runner(options(profile, command)).run();
        Map<String, Double> bytesPerParked = memory ? measureMemory(memoryCount) : Map.of();
        String summary = Summary.render(profile.name().toLowerCase(Locale.ROOT), results, bytesPerParked, memoryCount);
        System.out.println();
        System.out.println(summary);
        Files.writeString(TARGET.resolve("bench-summary.md"), summary);
    }

    /** {@code compare} mode: see {@link CompareRuns}. */
    private static void runCompare(Profile profile, List<String> rest) throws Exception {
        int rounds = CompareRuns.DEFAULT_ROUNDS;
        List<String> pairs = List.of();
        for (String arg : List.copyOf(rest)) {
            if (arg.startsWith("--rounds=")) {
                rounds = Integer.parseInt(arg.substring("--rounds=".length()));
                rest.remove(arg);
            } else if (arg.startsWith("--pairs=")) {
                pairs = List.of(arg.substring("--pairs=".length()).split(","));
                rest.remove(arg);
            }
        }
        CommandLineOptions command = new CommandLineOptions(rest.toArray(String[]::new));
        if (!command.getIncludes().isEmpty()) {
            throw new IllegalArgumentException("compare mode runs pairs, not benchmark regexps " + command.getIncludes()
                    + ": name the comparisons with --pairs=REGEXP,... (matched against either side, e.g. --pairs=EchoRoundTrip)");
        }
        List<Summary.Comparison> comparisons = CompareRuns.selected(pairs);
        if (comparisons.isEmpty()) {
            throw new IllegalArgumentException("no comparison matches " + pairs + "; the comparisons are in Summary.COMPARISONS");
        }
        Files.createDirectories(TARGET);
        Map<String, List<Double>> scores = CompareRuns.run(profile, command, comparisons, rounds);
        String summary = Summary.renderCompare(profile.name().toLowerCase(Locale.ROOT), rounds, comparisons, scores);
        System.out.println();
        System.out.println(summary);
        Files.writeString(TARGET.resolve("bench-compare.md"), summary);
    }

    static org.openjdk.jmh.runner.options.Options options(Profile profile, CommandLineOptions command) {
        ChainedOptionsBuilder options = new OptionsBuilder().parent(command);
        if (!command.getForkCount().hasValue()) {
            options.forks(profile.forks);
        }
        if (!command.getWarmupIterations().hasValue()) {
            options.warmupIterations(profile.warmups);
        }
        if (!command.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(profile.warmupSeconds));
        }
        if (!command.getMeasurementIterations().hasValue()) {
            options.measurementIterations(profile.iterations);
        }
        if (!command.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(profile.iterationSeconds));
        }
        if (!command.getParameter("transport").hasValue()) {
            options.param("transport", Loop.availableTransports().toArray(String[]::new));
        }
        if (!command.getParameter("nettyTransport").hasValue()) {
            options.param("nettyTransport", NettyPeers.available().toArray(String[]::new));
        }
        if (!command.getResult().hasValue()) {
            options.result(TARGET.resolve("jmh-result.json").toString()).resultFormat(ResultFormatType.JSON);
        }
        return options.build();
    }

    /** Runs {@link ParkedMemory} in a fresh JVM per kind; returns bytes per parked strand by kind. */
    static Map<String, Double> measureMemory(int count) throws IOException, InterruptedException {
        Map<String, Double> perKind = new LinkedHashMap<>();
        for (String kind : List.of("greenlets", "virtual-threads")) {
            System.out.println("# parked memory: " + count + " " + kind);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", MEMORY_HEAP,
                    "-cp", System.getProperty("java.class.path"), ParkedMemory.class.getName(), kind, Integer.toString(count)));
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            // A watchdog: a stuck child is killed, which also ends the read loop below.
            boolean[] timedOut = new boolean[1];
            child.onExit().orTimeout(MEMORY_TIMEOUT_MINUTES, TimeUnit.MINUTES).whenComplete((process, timeout) -> {
                if (timeout != null) {
                    timedOut[0] = true;
                    child.destroyForcibly();
                }
            });
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    System.out.println(line);
                    String[] fields = line.split(" ");
                    if (fields.length == 4 && fields[0].equals("RESULT")) {
                        perKind.put(fields[1], Double.parseDouble(fields[3]));
                    }
                }
            }
            child.waitFor();
            if (timedOut[0]) {
                System.out.println("# parked memory for " + kind + " took over " + MEMORY_TIMEOUT_MINUTES + " minutes; stopped it");
            } else if (child.exitValue() != 0) {
                System.out.println("# parked memory for " + kind + " failed with exit code " + child.exitValue());
            }
        }
        return perKind;
    }
}
