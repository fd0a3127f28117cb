package io.greenloop.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What every HTTP hello peer of {@link HttpBenchmark} shares: the body it serves, and its command line,
 * {@code MAIN PORT LOOPS MAX_SECONDS} (port 0: any free port; loops: event loops, or virtual-thread carriers for the
 * peers that have no loops of their own; max seconds: it stops by itself after that long, 0: never), with the line
 * {@code PORT n} printed once it listens on 127.0.0.1:n.
 */
final class HttpHello {

    /** The body of every answer. */
    static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    /** Its content type. */
    static final String CONTENT_TYPE = "text/plain";

    /** IMF-fixdate (RFC 9110, 5.6.7): two-digit days, so the header's length never changes and answers keep one size. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** The {@code Date} value and the second it is for; read and replaced whole, so threads may race harmlessly. */
    private record CachedDate(long second, String value) { }

    private static volatile CachedDate date = new CachedDate(-1, "");

    /** A peer's parsed command line. */
    record Args(int port, int loops, long maxSeconds) {

        static Args parse(String main, String[] args) {
            if (args.length != 3) {
                throw new IllegalArgumentException("usage: " + main + " PORT LOOPS MAX_SECONDS (port 0: any free port; "
                        + "max seconds 0: until killed); got " + args.length + " arguments");
            }
            Args parsed = new Args(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Long.parseLong(args[2]));
            if (parsed.loops < 1 || parsed.port < 0 || parsed.maxSeconds < 0) {
                throw new IllegalArgumentException(main + ": give a port of 0 or more, 1 or more loops and 0 or more "
                        + "seconds; got " + String.join(" ", args));
            }
            return parsed;
        }
    }

    private HttpHello() {
    }

    /** Says that the server listens: the {@code PORT n} line the benchmark waits for, then what it is. */
    static void listening(int port, String description) {
        System.out.println("PORT " + port);
        System.out.println(description + " on http://127.0.0.1:" + port + "/");
        System.out.flush();
    }

    /** Blocks for {@code maxSeconds} (0: until the process is killed). */
    static void serveFor(long maxSeconds) throws InterruptedException {
        Thread.sleep(maxSeconds == 0 ? Long.MAX_VALUE : maxSeconds * 1000);
    }

    /**
     * The {@code Date} header's value for now, computed once a second, as real servers cache it (for the peers
     * that do not add it themselves: Helidon and the JDK's server do).
     */
    static String date() {
        long second = System.currentTimeMillis() / 1000;
        CachedDate cached = date;
        if (cached.second() != second) {
            cached = new CachedDate(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            date = cached;
        }
        return cached.value();
    }

    /**
     * Sets the default scheduler's parallelism for virtual threads to {@code loops} carriers: the one-loop and
     * per-core equivalent of the peers that run their connections on virtual threads. Must run before the first
     * virtual thread starts, as the JDK reads it once.
     */
    static void virtualThreadCarriers(int loops) {
        System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(loops));
    }
}
