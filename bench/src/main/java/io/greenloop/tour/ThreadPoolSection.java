package io.greenloop.tour;

import io.greenloop.Green;
import io.greenloop.ThreadPool;

import java.time.Duration;

/**
 * gevent's threadpool example: four one-second sleeps on a pool of three OS threads take two rounds,
 * about two seconds, and {@code Green.waitAll()} waits for them while a greenlet keeps running.
 */
public final class ThreadPoolSection {

    private ThreadPoolSection() {
    }

    /** Runs the section on the calling thread's loop. */
    public static void run(String[] args) {
        System.out.println("\n== ThreadPool(3): four one-second sleeps, then Green.waitAll()");
        long start = System.nanoTime();
        try (ThreadPool pool = new ThreadPool(3)) {
            for (int i = 1; i <= 4; i++) {
                int task = i;
                pool.spawn(() -> {
                    Thread.sleep(1000);
                    System.out.printf("  task %d slept 1 s on %s, done at %d ms%n",
                            task, Thread.currentThread().getName(), millisSince(start));
                });
            }
            Green.spawn(() -> {
                for (int i = 0; i < 4; i++) {
                    Green.sleep(Duration.ofMillis(400));
                    System.out.printf("  a greenlet is still running at %d ms%n", millisSince(start));
                }
            });
            Green.waitAll();
            System.out.printf("Green.waitAll() returned after %d ms: two rounds on three threads%n", millisSince(start));
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
