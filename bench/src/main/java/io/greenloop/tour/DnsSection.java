package io.greenloop.tour;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.net.Dns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The gevent intro: look several names up at once, each in its own greenlet, with {@code Dns} doing the
 * native lookups on its own threads so the loop never waits for one.
 */
public final class DnsSection {

    /** The names looked up: two that resolve without a network (a name and a literal) and one that never does. */
    static final List<String> HOSTS = List.of("localhost", "127.0.0.1", "no-such-host.invalid");

    private DnsSection() {
    }

    /** Runs the section on the calling thread's loop. */
    public static void run(String[] args) {
        System.out.println("\n== Dns.getHostByName in greenlets, joinAll(..., 2 s)");
        long start = System.nanoTime();
        List<Greenlet<String>> jobs = new ArrayList<>();
        for (String host : HOSTS) {
            jobs.add(Green.spawn(() -> Dns.getHostByName(host)));
        }
        List<Greenlet<?>> finished = Green.joinAll(jobs, Duration.ofSeconds(2));
        System.out.printf("joinAll returned after %d ms with %d of %d finished%n",
                (System.nanoTime() - start) / 1_000_000, finished.size(), jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            Greenlet<String> job = jobs.get(i);
            String outcome = job.successful() ? "value " + job.value()
                    : job.ready() ? "failed: " + job.exception() : "still running";
            System.out.printf("  %-22s %s%n", HOSTS.get(i), outcome);
        }
        System.out.println("values: " + jobs.stream().map(Greenlet::value).toList());
    }
}
