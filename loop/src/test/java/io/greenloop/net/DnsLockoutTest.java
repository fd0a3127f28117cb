package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Abandoned lookups must not lock out later ones (issue 21, item 3). A child JVM resolves through
 * {@link HangingResolver} (installed with {@code ServiceLoader}, on the child's class path only), which never
 * answers some names and ignores interrupts, as a stuck native {@code getaddrinfo} does. 300 different hanging
 * names time out; then names the resolver answers at once must resolve, although every lookup thread there is
 * stuck in a call nobody waits for; and callers of one name share one call. (Before the fix the fresh names failed
 * with "no answer within 500 ms" / "260 lookups were already running or queued": every abandoned lookup stayed
 * queued and would have run its own hanging call on the 4 threads.)
 */
class DnsLockoutTest {

    private static final int HANGING_NAMES = 300;
    private static final int FRESH_NAMES = 5;
    private static final int SHARING_CALLERS = 20;
    /** The child's lookup timeout: short, so that 300 hanging names time out quickly. */
    private static final long TIMEOUT_MILLIS = 500;
    /** What the issue asks of a fresh lookup; the fastest of {@link #FRESH_NAMES} must make it, so one slow moment cannot fail the test. */
    private static final long FRESH_LOOKUP_BOUND_MILLIS = 100;

    @Test
    void freshNamesResolveWhileAbandonedLookupsHangAndOneNameIsLookedUpOnce(@TempDir Path services) throws Exception {
        Path registration = services.resolve("META-INF/services/java.net.spi.InetAddressResolverProvider");
        Files.createDirectories(registration.getParent());
        Files.writeString(registration, HangingResolver.class.getName() + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // First on the class path: the JDK takes the first provider it finds, and greenloop's own is registered too.
        Process child = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-D" + Dns.TIMEOUT_PROPERTY + "=" + TIMEOUT_MILLIS, "-cp", services + File.pathSeparator + classPath,
                Child.class.getName()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);

        Map<String, Long> hanging = values(output, "hanging");
        assertEquals(HANGING_NAMES, hanging.get("timedOut"), output);
        assertTrue(hanging.get("stuck") >= 1 && hanging.get("stuck").equals(hanging.get("asked")), "every call asked is stuck:\n" + output);
        // Newest first, about twice the pool's threads start; whatever the order, no more than it may write off.
        assertTrue(hanging.get("asked") <= Dns.LOOKUP_THREADS + Dns.MAX_ABANDONED_LOOKUPS, "a burst holds a bounded number of threads:\n" + output);
        Map<String, Long> fresh = values(output, "fresh");
        assertEquals(FRESH_NAMES, fresh.get("resolved"), "fresh names resolve behind the abandoned ones:\n" + output);
        assertTrue(fresh.get("fastestMillis") < FRESH_LOOKUP_BOUND_MILLIS, output);
        Map<String, Long> shared = values(output, "shared");
        assertEquals(1, shared.get("asked"), SHARING_CALLERS + 1 + " callers of one hanging name made one call:\n" + output);
        assertEquals(SHARING_CALLERS + 1, shared.get("timedOut"), output);
        assertEquals(FRESH_NAMES, values(output, "freshAgain").get("resolved"), output);
    }

    /** The {@code key=value} numbers of the child's line {@code "label: ..."}. */
    private static Map<String, Long> values(String output, String label) {
        Matcher line = Pattern.compile("(?m)^" + label + ": (.*)$").matcher(output);
        assertTrue(line.find(), "the child printed no " + label + " line:\n" + output);
        Map<String, Long> values = new java.util.HashMap<>();
        Matcher pair = Pattern.compile("(\\w+)=(\\d+)").matcher(line.group(1));
        while (pair.find()) {
            values.put(pair.group(1), Long.parseLong(pair.group(2)));
        }
        return values;
    }

    /** The child JVM: runs the lookups on its loop and prints what came of them; the test judges. */
    public static final class Child {

        private static final Duration JOIN_LIMIT = Duration.ofSeconds(30);

        private Child() {
        }

        /** Entry point of the child JVM. */
        public static void main(String[] args) {
            try (Loop loop = Loop.open()) {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < HANGING_NAMES; i++) {
                    names.add("name-" + i + HangingResolver.HANGS);
                }
                int timedOut = timeouts(names);
                System.out.println("hanging: timedOut=" + timedOut + " asked=" + HangingResolver.hangingNamesAsked()
                        + " stuck=" + HangingResolver.stuck());
                freshLookups("fresh", "first");
                String sharedName = "shared" + HangingResolver.HANGS;
                int sharedTimeouts = timeouts(java.util.Collections.nCopies(SHARING_CALLERS, sharedName));
                sharedTimeouts += timeouts(List.of(sharedName)); // after every earlier caller gave up: still the same call
                System.out.println("shared: timedOut=" + sharedTimeouts + " asked=" + HangingResolver.calls(sharedName)
                        + " stuck=" + HangingResolver.stuck());
                freshLookups("freshAgain", "second");
            }
            System.out.flush();
            System.exit(0); // the hanging calls never end
        }

        /** Looks every name up at once, each in a greenlet; how many failed with the lookup timeout. */
        private static int timeouts(List<String> names) {
            List<Greenlet<Throwable>> lookups = new ArrayList<>();
            for (String name : names) {
                lookups.add(Green.spawn(() -> failureOf(name)));
            }
            Green.joinAll(lookups, JOIN_LIMIT);
            int timedOut = 0;
            for (Greenlet<Throwable> lookup : lookups) {
                Throwable failure = lookup.value();
                if (failure instanceof UnknownHostException && failure.getMessage().contains(TIMEOUT_MILLIS + " ms")) {
                    timedOut++;
                } else if (timedOut == 0) {
                    System.out.println("unexpected: " + (lookup.ready() ? String.valueOf(failure) : "still waiting"));
                }
            }
            return timedOut;
        }

        private static void freshLookups(String label, String round) {
            int resolved = 0;
            long fastest = Long.MAX_VALUE;
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < FRESH_NAMES; i++) {
                String name = round + "-" + i + HangingResolver.ANSWERS;
                long start = System.nanoTime();
                Greenlet<Throwable> lookup = Green.spawn(() -> failureOf(name));
                lookup.join(JOIN_LIMIT);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                latencies.add(millis);
                if (lookup.ready() && lookup.value() == null) {
                    resolved++;
                    fastest = Math.min(fastest, millis);
                } else {
                    System.out.println(name + " failed: " + lookup.value());
                }
            }
            System.out.println(label + ": resolved=" + resolved + " fastestMillis=" + fastest + " (latencies in ms: " + latencies + ")");
        }

        /** What looking {@code name} up threw, or null when it resolved. */
        private static Throwable failureOf(String name) {
            try {
                Dns.getAllByName(name);
                return null;
            } catch (UnknownHostException e) {
                return e;
            }
        }
    }
}
