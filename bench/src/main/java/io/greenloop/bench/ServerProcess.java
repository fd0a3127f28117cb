package io.greenloop.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A benchmark server in a process of its own: a JVM that prints {@code PORT n} once it listens on 127.0.0.1:n
 * ({@link LatencyServer}, the HTTP hello peers), or a native server given its port (the C floor), optionally pinned
 * to CPUs with {@code taskset}. The one way the benchmark drivers start, measure (CPU time from {@code /proc}) and
 * stop their servers.
 *
 * <p>Thread rule: start, read and close from one thread; {@link #start} and {@link #startNative} block until the
 * server listens or has failed to.
 */
final class ServerProcess implements AutoCloseable {

    /** How long a server may take to listen: a JVM's start on 2 busy cores takes a second or two. */
    private static final long LISTEN_TIMEOUT_SECONDS = 30;
    /** How long a server may take to exit after SIGTERM before it is killed. */
    private static final long STOP_TIMEOUT_SECONDS = 10;
    /** USER_HZ: the unit of utime and stime in {@code /proc/PID/stat} (100 on every Linux this runs on). */
    private static final long NANOS_PER_CLOCK_TICK = 10_000_000L;

    private final String implementation;
    private final String transport;
    private final Process process;
    private final int port;
    /** Whether {@link #pause()} froze it; only the thread that starts, reads and closes it reads this. */
    private boolean paused;

    private ServerProcess(String implementation, String transport, Process process, int port) {
        this.implementation = implementation;
        this.transport = transport;
        this.process = process;
        this.port = port;
    }

    /** {@code command} run under {@code taskset -c cpus}; unchanged when {@code cpus} is null or blank. */
    static List<String> pinned(String cpus, List<String> command) {
        if (cpus == null || cpus.isBlank()) {
            return command;
        }
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", cpus));
        pinned.addAll(command);
        return pinned;
    }

    /** This JVM's {@code java} running {@code mainClass} with {@code flags} and this JVM's class path. */
    static List<String> javaCommand(List<String> flags, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return command;
    }

    /**
     * Starts {@code command}, a server that prints {@code PORT n} on its standard output once it listens; returns
     * when it has. Its standard error goes to this process's.
     */
    static ServerProcess start(String implementation, String transport, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("PORT ")) {
                Thread.ofPlatform().daemon().name("drain-" + implementation).start(() -> drain(out));
                System.out.println("# server " + implementation + " " + transport + ": pid " + process.pid());
                return new ServerProcess(implementation, transport, process, Integer.parseInt(line.substring(5).trim()));
            }
        }
        process.destroyForcibly();
        throw new IOException("the " + implementation + " " + transport + " server exited before it listened (its errors are above): "
                + String.join(" ", command));
    }

    /**
     * Starts {@code command} followed by a free port, a server that says nothing when it listens (the C floor), and
     * returns once a connection to that port succeeds. Its output goes to this process's.
     */
    static ServerProcess startNative(String implementation, String transport, List<String> command) throws IOException {
        int port = freePort();
        List<String> withPort = new ArrayList<>(command);
        withPort.add(Integer.toString(port));
        Process process = new ProcessBuilder(withPort).inheritIO().redirectInput(ProcessBuilder.Redirect.PIPE).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LISTEN_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                System.out.println("# server " + implementation + " " + transport + ": pid " + process.pid());
                return new ServerProcess(implementation, transport, process, port);
            } catch (IOException notYet) {
                sleepMillis(50);
            }
        }
        process.destroyForcibly();
        throw new IOException("the " + implementation + " server did not listen on port " + port + " within "
                + LISTEN_TIMEOUT_SECONDS + " s (exited: " + !process.isAlive() + "): " + String.join(" ", withPort));
    }

    /** A port that was free a moment ago; the native servers take their port as an argument. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the server's later lines are not read by anyone; draining keeps its pipe from filling
            }
        } catch (IOException e) {
            // the server exited
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a server to listen", e);
        }
    }

    String implementation() {
        return implementation;
    }

    String transport() {
        return transport;
    }

    int port() {
        return port;
    }

    /** The process id: the JVM's own for a JVM server ({@code taskset} execs it), for {@code jcmd}. */
    long pid() {
        return process.pid();
    }

    String name() {
        return implementation + " " + transport;
    }

    /**
     * The server's CPU time so far (user + system, every thread of the process and of its children, such as the C
     * floor under {@code timeout}) from {@code /proc/PID/stat}, in nanoseconds at its 10 ms resolution; -1 where
     * there is no {@code /proc}.
     */
    long cpuNanos() {
        try {
            long ticks = 0;
            for (ProcessHandle handle : Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList()) {
                ticks += cpuTicks(handle.pid());
            }
            return ticks * NANOS_PER_CLOCK_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * Freezes the server and its children ({@code SIGSTOP}): a server that spins when idle (a busy-polling one) would
     * otherwise hold its CPU while another server on that CPU is measured. {@link #resume()} thaws it.
     */
    void pause() throws IOException {
        signal("STOP");
        paused = true;
    }

    /** Thaws a {@link #pause() paused} server ({@code SIGCONT}); a server that is not paused is left as it is. */
    void resume() throws IOException {
        if (paused) {
            signal("CONT");
            paused = false;
        }
    }

    private void signal(String name) throws IOException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + name, Long.toString(process.pid())));
        process.descendants().forEach(child -> command.add(Long.toString(child.pid())));
        try {
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + exit + " for " + name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIG" + name + " to " + name(), e);
        }
    }

    /**
     * Thaws it if paused, closes its standard input (which stops {@link LatencyServer}), sends SIGTERM, and kills what
     * is left after a while.
     */
    @Override
    public void close() {
        try {
            resume();
        } catch (IOException e) {
            process.destroyForcibly();  // a frozen server cannot stop by itself
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed: the server is on its way out
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
