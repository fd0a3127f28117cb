package io.greenloop.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code RunBenchmarks compare}: runs each greenloop benchmark and the peer it is compared with alternately, one
 * fork each, for several rounds in one run (the order reversed every other round), so that a slow minute on a
 * shared machine lands on both sides of a ratio; the summary gives each ratio's median over the rounds and its
 * range ({@link Summary#renderCompare}). A ratio counts for a target only when its whole range is clear of the line.
 */
final class CompareRuns {

    /** Rounds when none are given: the median of 5 is robust to one or two disturbed rounds. */
    static final int DEFAULT_ROUNDS = 5;

    private CompareRuns() {
    }

    /**
     * The comparisons to run: every comparison one of {@code includes} matches (a regexp against either side's
     * key, {@code Class.method[param=value]}, given with {@code --pairs=}); with no includes, the targets'.
     */
    static List<Summary.Comparison> selected(Collection<String> includes) {
        Set<Summary.Comparison> chosen = new LinkedHashSet<>();
        if (includes.isEmpty()) {
            for (Summary.Target t : Summary.TARGETS) {
                chosen.add(new Summary.Comparison(t.what(), t.greenloop(), t.peer()));
            }
            return List.copyOf(chosen);
        }
        for (String include : includes) {
            Pattern pattern = Pattern.compile(include);
            for (Summary.Comparison c : Summary.COMPARISONS) {
                if (pattern.matcher(c.greenloop()).find() || pattern.matcher(c.peer()).find()) {
                    chosen.add(c);
                }
            }
        }
        return List.copyOf(chosen);
    }

    /** Runs {@code rounds} rounds of every benchmark the comparisons name; returns each benchmark's score per round. */
    static Map<String, List<Double>> run(RunBenchmarks.Profile profile, CommandLineOptions command,
                                         List<Summary.Comparison> comparisons, int rounds) throws Exception {
        List<String> keys = new ArrayList<>(new LinkedHashSet<>(comparisons.stream()
                .flatMap(c -> Stream.of(c.greenloop(), c.peer())).toList()));
        Map<String, List<Double>> scores = new LinkedHashMap<>();
        keys.forEach(key -> scores.put(key, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            List<String> order = round % 2 == 0 ? keys : keys.reversed();
            for (String key : order) {
                System.out.println("# compare: round " + (round + 1) + " of " + rounds + ": " + key);
                Collection<RunResult> results = new Runner(options(profile, command, key)).run();
                if (results.size() != 1) {
                    throw new IllegalStateException("expected one result for " + key + ", got " + results.size()
                            + "; is the benchmark name or parameter value right?");
                }
                scores.get(key).add(results.iterator().next().getPrimaryResult().getScore());
            }
        }
        return scores;
    }

    /** The profile's options for one fork of the one benchmark {@code key} names, with its parameter values. */
    private static org.openjdk.jmh.runner.options.Options options(RunBenchmarks.Profile profile, CommandLineOptions command,
                                                                 String key) {
        int bracket = key.indexOf('[');
        String method = bracket < 0 ? key : key.substring(0, bracket);
        ChainedOptionsBuilder options = new OptionsBuilder().parent(RunBenchmarks.options(profile, command))
                .include("\\." + Pattern.quote(method) + "$")
                .forks(command.getForkCount().orElse(1));
        if (bracket >= 0) {
            for (String pair : key.substring(bracket + 1, key.length() - 1).split(",")) {
                String[] nameValue = pair.split("=", 2);
                options.param(nameValue[0], nameValue[1]);
            }
        }
        return options.build();
    }
}
