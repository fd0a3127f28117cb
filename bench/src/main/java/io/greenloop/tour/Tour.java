package io.greenloop.tour;

import io.greenloop.Event;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A walk through greenloop, gevent-blog style: each section prints what happens as it happens. Run it
 * with the first command of README.md; URLs given as arguments are fetched by the HTTP section.
 */
public final class Tour {

    private Tour() {
    }

    public static void main(String[] args) throws Exception {
        Loop loop = Loop.open();
        // gevent prints a failed greenlet's traceback; one line each is enough for a tour.
        loop.errorHandler((greenlet, error) -> System.out.println("  [loop] "
                + (greenlet == null ? "a callback" : greenlet.name()) + " failed: " + error));
        System.out.println("greenloop tour: one loop on thread '" + Thread.currentThread().getName()
                + "', transport " + loop.transport() + " (available: " + Loop.availableTransports() + ")");
        DnsSection.run(args);
        HttpSection.run(args);
        ThreadPoolSection.run(args);
        SubprocessSection.run(args);
        greenlets();
        sleepIsFair();
        timeouts();
        events();
        runInfo();
        EchoSection.run();
        TlsEchoSection.run();
        WatchSection.run(loop);
        loop.close();
        System.out.println("\nThe end.");
    }

    static void section(String title) {
        System.out.println("\n== " + title);
    }

    private static void greenlets() throws Exception {
        section("Greenlets: spawn, joinAll with a timeout, value");
        long start = System.nanoTime();
        List<Greenlet<String>> jobs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int n = i;
            jobs.add(Green.spawn(() -> {
                Green.sleep(Duration.ofMillis(100L * n));
                return "job " + n + " slept " + (100 * n) + " ms";
            }));
        }
        List<Greenlet<?>> finished = Green.joinAll(jobs, Duration.ofMillis(350));
        System.out.printf("joinAll(..., 350 ms) returned after %d ms with %d of %d finished:%n",
                millisSince(start), finished.size(), jobs.size());
        for (Greenlet<String> job : jobs) {
            System.out.println("  " + job.name() + ": ready=" + job.ready() + " value=" + job.value());
        }
        jobs.forEach(Greenlet::kill);
        System.out.println("killed the rest: " + jobs.stream().allMatch(Greenlet::ready));
    }

    private static void runInfo() {
        section("Green.formatRunInfo(): every open loop and live greenlet, with what it waits on");
        Event never = new Event();
        Greenlet<Void> waiter = Green.spawn(() -> never.await());
        Greenlet<Void> sleeper = Green.spawn(() -> Green.sleep(Duration.ofMinutes(1)));
        Green.sleep();
        System.out.print(Green.formatRunInfo());
        Green.killAll(List.of(waiter, sleeper));
    }

    private static void sleepIsFair() {
        section("sleep() lets every other ready greenlet run once");
        StringBuilder written = new StringBuilder();
        List<Greenlet<?>> writers = new ArrayList<>();
        for (String letter : List.of("a", "b", "c")) {
            writers.add(Green.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    written.append(letter);
                    Green.sleep();
                }
            }));
        }
        Green.joinAll(writers);
        System.out.println("three greenlets, three sleep() each: " + written);
    }

    private static void timeouts() throws Exception {
        section("Timeouts raise at the blocking point");
        Greenlet<String> slow = Green.spawn(() -> {
            try {
                return Green.withTimeout(Duration.ofMillis(50), () -> {
                    Green.sleep(Duration.ofSeconds(10));
                    return "slept 10 s";
                });
            } catch (Timeout.Expired expired) {
                return "caught Timeout.Expired: " + expired.getMessage();
            }
        });
        System.out.println(slow.name() + ": " + slow.get());
        Greenlet<Void> blocking = Green.spawn(() -> {
            try {
                Thread.sleep(10_000); // a JDK blocking call, cooperative inside a greenlet
            } finally {
                System.out.println("  finally block ran in the killed greenlet");
            }
        });
        Green.sleep(Duration.ofMillis(20));
        blocking.kill();
        System.out.println("killed a greenlet inside Thread.sleep: successful=" + blocking.successful());
        try (Timeout timeout = Timeout.start(Duration.ofMillis(30))) {
            new Event().await();
        } catch (Timeout.Expired expired) {
            System.out.println("the main thread, too: " + expired.getMessage());
        }
    }

    private static void events() {
        section("An Event wakes every waiter, in order");
        Event ready = new Event();
        List<Greenlet<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            waiters.add(Green.spawn(() -> {
                ready.await();
                System.out.println("  waiter " + n + " woke");
            }));
        }
        Green.spawnLater(Duration.ofMillis(20), () -> {
            System.out.println("  setting the event");
            ready.set();
            return null;
        });
        Green.joinAll(waiters);
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
