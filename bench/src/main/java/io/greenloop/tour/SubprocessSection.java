package io.greenloop.tour;

import io.greenloop.Green;
import io.greenloop.process.Subprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * gevent's subprocess example: start {@code uname} and {@code ls}, wait for both with a timeout, then
 * poll each and print its output; a third child, {@code sleep 5}, is still running at that point.
 */
public final class SubprocessSection {

    private SubprocessSection() {
    }

    /** Runs the section on the calling thread's loop. */
    public static void run(String[] args) {
        System.out.println("\n== Subprocess: uname and ls, Green.waitAll(..., 2 s), poll");
        try {
            Subprocess uname = Subprocess.start("uname", "-s", "-r", "-m");
            Subprocess ls = Subprocess.start("ls");
            Subprocess sleep = Subprocess.start("sleep", "5");
            long start = System.nanoTime();
            List<Subprocess> ready = Green.waitAll(List.of(uname, ls, sleep), Duration.ofSeconds(2));
            System.out.printf("waitAll returned after %d ms with %d of 3 exited%n", (System.nanoTime() - start) / 1_000_000, ready.size());
            show("uname", uname);
            show("ls", ls);
            show("sleep 5", sleep);
            sleep.kill();
            System.out.println("killed sleep 5: exit code " + sleep.waitFor());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void show(String name, Subprocess child) throws IOException {
        Integer code = child.poll();
        if (code == null) {
            System.out.println(name + ": job is still running");
            return;
        }
        String output = new String(child.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
        System.out.println(name + ": exit code " + code + ", output:");
        output.lines().forEach(line -> System.out.println("  " + line));
    }
}
