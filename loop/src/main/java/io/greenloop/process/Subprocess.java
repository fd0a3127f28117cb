package io.greenloop.process;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.AsyncResult;
import io.greenloop.Cancellable;
import io.greenloop.Loop;
import io.greenloop.ThreadPool;
import io.greenloop.Timeout;
import io.greenloop.Waitable;
import io.greenloop.Waiter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A child process whose waits are cooperative (gevent's {@code subprocess.Popen}): {@link #waitFor},
 * {@link #communicate} and reads and writes on its pipes park the calling greenlet while the loop runs
 * others. The pipes' blocking I/O runs on pump threads that hand data to the loop with bounded
 * buffering; the exit is noticed through {@link Process#onExit()}, from the reaper thread the JDK keeps
 * for every child anyway, so greenloop parks no thread of its own in {@code waitFor}. A running child
 * counts as pending work of its loop, so
 * {@link io.greenloop.Green#waitAll()} waits for it. Ready (as a {@link Waitable}) once it has exited.
 *
 * <p>Thread rule: it belongs to the loop of the thread that started it. Its streams,
 * {@link #communicate} and {@link #close} work on that loop's thread and greenlets only (else
 * {@link IllegalStateException}); {@link #poll}, {@link #pid}, {@link #terminate}, {@link #kill} from any
 * thread; {@link #waitFor} from any thread (a thread that owns no loop blocks).
 *
 * <p>A child that prints more than its buffers hold (a 64 KiB pipe plus 128 KiB here, per stream)
 * waits until someone reads: read its output, or use {@link #communicate}, before waiting for its exit.
 */
public final class Subprocess implements Waitable, AutoCloseable {

    /**
     * The outcome of {@link #communicate}: the exit code and everything the child wrote.
     *
     * @param exitCode the exit code (128 + the signal number when a signal ended it)
     * @param stdout everything the child wrote to stdout
     * @param stderr everything the child wrote to stderr
     */
    public record Result(int exitCode, byte[] stdout, byte[] stderr) {
    }

    /** Starting a child is a fork and an exec: a few milliseconds that must not hold the loop. Two run at once. */
    private static final int LAUNCH_THREADS = 2;

    private static final class Launcher {
        static final ThreadPool POOL = new ThreadPool(LAUNCH_THREADS, "greenloop-launch");
    }

    private final Loop loop;
    private final Process process;
    private final List<String> command;
    private final boolean stdinIsPipe;
    private final AsyncResult<Integer> exit = new AsyncResult<>();
    private final PipeInput stdout;
    private final PipeInput stderr;
    private final PipeOutput stdin;
    private boolean communicating;
    private ByteArrayOutputStream collectedOut;
    private ByteArrayOutputStream collectedErr;

    private Subprocess(Loop loop, ProcessBuilder builder, Process process, List<String> command) {
        this.loop = loop;
        this.process = process;
        this.command = command;
        this.stdinIsPipe = builder.redirectInput().type() == ProcessBuilder.Redirect.Type.PIPE;
        String who = " of pid " + process.pid() + " " + command;
        this.stdout = new PipeInput(loop, process.getInputStream(), "stdout" + who);
        this.stderr = new PipeInput(loop, process.getErrorStream(), "stderr" + who);
        this.stdin = new PipeOutput(loop, process.getOutputStream(), "stdin" + who);
        Cancellable running = LowLevel.keepAlive(loop);
        process.onExit().whenComplete((ignored, error) -> exited(running));
        stdout.start();
        stderr.start();
    }

    /**
     * Starts {@code command} with stdin, stdout and stderr piped; an empty command is an {@link
     * IllegalArgumentException}.
     *
     * @param command the program and its arguments
     * @return the running process
     * @throws IOException if the operation fails; the message says what failed
     */
    public static Subprocess start(String... command) throws IOException {
        Objects.requireNonNull(command, "command");
        if (command.length == 0) {
            throw new IllegalArgumentException("no command given; name the program and its arguments, e.g. start(\"ls\", \"-l\")");
        }
        return start(new ProcessBuilder(command));
    }

    /** The command of {@code builder}, each element checked: a {@code null} one is named by its index. */
    private static List<String> commandOf(ProcessBuilder builder) {
        List<String> command = builder.command();
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i) == null) {
                throw new NullPointerException("command[" + i + "] is null (the command so far: "
                        + command.subList(0, i) + "); pass the program and each argument as a string");
            }
        }
        return List.copyOf(command);
    }

    /**
     * Starts the process {@code builder} describes, honouring its redirects (a redirected stream reads as
     * empty here). The fork and exec run on a launcher thread while the caller waits; a command that cannot
     * start throws an {@link IOException} that names it.
     *
     * @param builder the command, directory, environment and redirects
     * @return the running process
     * @throws IOException if the operation fails; the message says what failed
     */
    public static Subprocess start(ProcessBuilder builder) throws IOException {
        Objects.requireNonNull(builder, "builder");
        List<String> command = commandOf(builder);
        Loop loop = Loop.current();
        Process process;
        try {
            process = Launcher.POOL.apply(builder::start);
        } catch (IOException | RuntimeException e) {
            throw new IOException("could not start " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while starting " + command);
        } catch (Exception e) {
            throw new IOException("could not start " + command + ": " + e, e);
        }
        return new Subprocess(loop, builder, process, command);
    }

    /** On whatever thread the JDK completes {@code onExit()}: records the exit, then lets the loop go. */
    private void exited(Cancellable running) {
        try {
            exit.set(process.exitValue());
        } catch (RuntimeException e) {
            // The loop has closed (nobody is waiting), or the JDK could not give the code: nothing to tell.
        } finally {
            running.cancel();
        }
    }

    /**
     * The exit code, or {@code null} while it runs. Never waits.
     *
     * @return the exit code, or {@code null} while it runs
     */
    public Integer poll() {
        return exit.ready() ? exit.value() : null;
    }

    /**
     * Waits until it has exited and returns the exit code (128 + the signal number when a signal ended it).
     *
     * @return the exit code
     */
    public int waitFor() {
        try {
            return exit.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for " + this);
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: an exit carries no exception", e);
        }
    }

    /**
     * Waits up to {@code timeout} ({@code null}: no limit) and returns the exit code, or {@code null} if it still
     * runs.
     *
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the exit code, or {@code null} if it still runs
     */
    public Integer waitFor(Duration timeout) {
        if (timeout == null) {
            return waitFor();
        }
        try {
            return exit.get(timeout);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for " + this);
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: an exit carries no exception", e);
        }
    }

    /**
     * Its standard output: reads park the calling greenlet until data is there. Empty when redirected.
     *
     * @return its standard output: reads park the calling greenlet until data is there
     */
    public InputStream stdout() {
        return stdout;
    }

    /**
     * Its standard error: reads park the calling greenlet until data is there. Empty when redirected.
     *
     * @return its standard error: reads park the calling greenlet until data is there
     */
    public InputStream stderr() {
        return stderr;
    }

    /**
     * Its standard input: writes park while the child is behind; {@code close()} sends it the end of input.
     *
     * @return its standard input
     */
    public OutputStream stdin() {
        return stdin;
    }

    /**
     * Feeds {@code input} to stdin and closes it, reads stdout and stderr to their ends, and waits for the
     * exit, all at once so that no pipe can fill up and stall the child, however much it writes. With
     * {@code timeout} ({@code null}: no limit) it throws {@link Timeout.Expired} when time is up and leaves
     * the child running ({@link #kill()} still works); calling it again goes on collecting where it left off
     * and returns everything (the input is fed by the first call only). Loop thread only.
     *
     * @param input what to write to stdin ({@code null}: nothing)
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the exit code and all the output
     */
    public Result communicate(byte[] input, Duration timeout) {
        LowLevel.requireLoopThread(loop, "communicate()");
        if (!communicating) {
            startCommunicating(input);
        }
        Waiter<Void> done = new Waiter<Void>("communicate() with " + this).keepingLoopAlive();
        Runnable check = () -> {
            if (stdout.finished() && stderr.finished() && exit.ready()) {
                done.wake(null);
            }
        };
        stdout.collectInto(collectedOut, check);
        stderr.collectInto(collectedErr, check);
        Cancellable exitLink = exit.onReady(check);
        Timeout deadline = timeout == null ? null : Timeout.start(timeout);
        try {
            check.run();
            done.get();
        } finally {
            if (deadline != null) {
                deadline.close();
            }
            exitLink.cancel();
            stdout.stopCollecting();
            stderr.stopCollecting();
        }
        IOException failure = stdout.failure() != null ? stdout.failure() : stderr.failure();
        if (failure != null) {
            throw new UncheckedIOException("communicate() with " + this + " could not read the output: " + failure.getMessage(), failure);
        }
        return new Result(exit.value(), collectedOut.toByteArray(), collectedErr.toByteArray());
    }

    private void startCommunicating(byte[] input) {
        if (input != null && input.length > 0) {
            if (!stdinIsPipe) {
                throw new IllegalStateException("communicate() was given input, but the stdin of " + this
                        + " is redirected, not a pipe; pass null, or leave stdin piped");
            }
            stdin.writeWithoutWaiting(input);
        }
        stdin.closeWithoutWaiting(); // a child that does not read its input gets a broken pipe, not a hang
        communicating = true;
        collectedOut = new ByteArrayOutputStream();
        collectedErr = new ByteArrayOutputStream();
    }

    /**
     * Its process id.
     *
     * @return its process id
     */
    public long pid() {
        return process.pid();
    }

    /** Asks it to end (SIGTERM on Unix). Never waits. */
    public void terminate() {
        process.destroy();
    }

    /** Ends it at once (SIGKILL on Unix). Never waits. */
    public void kill() {
        process.destroyForcibly();
    }

    /**
     * Closes the pipes: stdin after what is queued (without waiting), stdout and stderr at once, dropping what
     * is unread. The child is not stopped; it gets a broken pipe if it writes on. Loop thread only.
     */
    @Override
    public void close() {
        LowLevel.requireLoopThread(loop, "close()");
        stdin.closeWithoutWaiting();
        stdout.close();
        stderr.close();
    }

    /** Whether it has exited. */
    @Override
    public boolean ready() {
        return exit.ready();
    }

    @Override
    public Cancellable onReady(Runnable callback) {
        return exit.onReady(callback);
    }

    @Override
    public String toString() {
        Integer code = poll();
        return "Subprocess[pid " + process.pid() + " " + command + (code == null ? ", running]" : ", exited " + code + "]");
    }
}
