package io.greenloop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A runner's arguments as {@link LatencyBenchmark} and {@link HttpBenchmark} take them: an optional profile name
 * first, then {@code --name=value} options (a later one of the same name wins); and how a runner reports its table.
 */
record CommandLine(String profile, Map<String, String> options) {

    /** Splits {@code args}; anything that is neither the leading profile nor {@code --name=value} is refused with {@code usage}. */
    static CommandLine parse(String[] args, String defaultProfile, String usage) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String profile = !rest.isEmpty() && !rest.getFirst().startsWith("--") ? rest.removeFirst() : defaultProfile;
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : rest) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("unknown argument \"" + arg + "\"; arguments are " + usage);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return new CommandLine(profile, options);
    }

    /** Prints a runner's markdown table, and writes it to {@code out} too unless that is null. */
    static void report(String table, Path out) throws IOException {
        System.out.println();
        System.out.println(table);
        if (out != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, table);
            System.out.println("(also written to " + out + ")");
        }
    }

    /** The refusal of an option the runner does not have. */
    static IllegalArgumentException unknown(Map.Entry<String, String> option, String runner) {
        return new IllegalArgumentException("unknown option \"--" + option.getKey() + "=" + option.getValue() + "\"; see "
                + runner + "'s usage");
    }
}
