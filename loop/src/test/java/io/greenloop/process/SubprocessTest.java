package io.greenloop.process;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.LoopExtension;
import io.greenloop.Ticker;
import io.greenloop.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real children (sh, cat, tee, seq, sleep, yes) with real pipes. */
class SubprocessTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void readsBothOutputsAndTheExitCode() throws Exception {
        Subprocess child = Subprocess.start("sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals("out\n", text(child.stdout().readAllBytes()));
        assertEquals("err\n", text(child.stderr().readAllBytes()));
        assertEquals(3, child.waitFor());
        assertEquals(3, child.poll());
        assertTrue(child.ready());
        assertTrue(child.pid() > 0);
    }

    @Test
    void pollNeverWaitsAndWaitForWithATimeoutGivesUp() throws Exception {
        Subprocess child = Subprocess.start("sleep", "5");
        assertNull(child.poll());
        long start = System.nanoTime();
        assertNull(child.waitFor(Duration.ofMillis(100)));
        assertTrue(millisSince(start) < 2000);
        child.kill();
        assertEquals(128 + 9, child.waitFor(), "SIGKILL");
        Subprocess polite = Subprocess.start("sleep", "5");
        polite.terminate();
        assertEquals(128 + 15, polite.waitFor(Duration.ofSeconds(5)), "SIGTERM");
    }

    @Test
    void aCommandThatCannotStartNamesItself() throws Exception {
        IOException e = assertThrows(IOException.class, () -> Subprocess.start("greenloop-no-such-command", "x"));
        assertTrue(e.getMessage().contains("greenloop-no-such-command"), e.getMessage());
        assertThrows(IllegalArgumentException.class, Subprocess::start);
    }

    @Test
    void communicateMovesTenMebibytesEachWayWithoutDeadlock() throws Exception {
        byte[] input = new byte[10 << 20];
        new Random(7).nextBytes(input);
        Ticker ticker = Ticker.start(Duration.ofMillis(10));
        long start = System.nanoTime();
        // tee copies stdin to stdout and to stderr: 10 MiB in, 10 MiB out on each pipe.
        Subprocess child = Subprocess.start("sh", "-c", "tee /dev/stderr");
        Subprocess.Result result = child.communicate(input, Duration.ofSeconds(60));
        long elapsed = millisSince(start);
        ticker.stop();
        assertEquals(0, result.exitCode());
        assertArrayEquals(input, result.stdout());
        assertArrayEquals(input, result.stderr());
        assertTrue(ticker.ticks() >= elapsed / 100, "the loop kept running for " + elapsed + " ms: " + ticker);
    }

    @Test
    void communicateTimesOutLeavingTheChildRunningAndARetryGetsEverything() throws Exception {
        Subprocess child = Subprocess.start("sh", "-c", "echo first; sleep 0.6; echo second >&2; echo third");
        Timeout.Expired expired = assertThrows(Timeout.Expired.class, () -> child.communicate(null, Duration.ofMillis(200)));
        assertNotNull(expired.getMessage());
        assertNull(child.poll(), "the child still runs after the timeout");
        Subprocess.Result result = child.communicate(null, null);
        assertEquals(0, result.exitCode());
        assertEquals("first\nthird\n", text(result.stdout()), "nothing collected before the timeout was lost");
        assertEquals("second\n", text(result.stderr()));

        Subprocess sleeper = Subprocess.start("sleep", "10");
        assertThrows(Timeout.Expired.class, () -> sleeper.communicate("ignored".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(100)));
        sleeper.kill();
        assertEquals(128 + 9, sleeper.waitFor(), "kill() still works after a timed-out communicate()");
    }

    @Test
    void fiftyChildrenStreamOutputWhileATickerKeepsTicking() throws Exception {
        Ticker ticker = Ticker.start(Duration.ofMillis(10));
        long start = System.nanoTime();
        List<Greenlet<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            readers.add(Green.spawn(() -> {
                Subprocess child = Subprocess.start("sh", "-c", "seq 1 20000; sleep 0.3; seq 20001 40000");
                int lines = countLines(child.stdout());
                return child.waitFor() == 0 ? lines : -1;
            }));
        }
        List<Greenlet<?>> finished = Green.joinAll(readers, Duration.ofSeconds(60));
        long elapsed = millisSince(start);
        ticker.stop();
        assertEquals(50, finished.size());
        for (Greenlet<Integer> reader : readers) {
            assertEquals(40000, reader.value(), String.valueOf(reader.exception()));
        }
        assertTrue(ticker.ticks() >= 20, "ticked through " + elapsed + " ms of streaming: " + ticker);
        assertTrue(ticker.longestGapMillis() < 1000, "no long stall: " + ticker);
    }

    @Test
    void aChildThatNobodyReadsIsHeldBackByBoundedBuffers() throws Exception {
        Subprocess child = Subprocess.start("yes");
        Green.sleep(Duration.ofMillis(300));
        PipeInput stdout = (PipeInput) child.stdout();
        assertTrue(stdout.buffered() <= PipeInput.CHUNK_BYTES * PipeInput.CHUNKS_AHEAD,
                "buffered " + stdout.buffered() + " bytes");
        assertTrue(stdout.buffered() > 0);
        byte[] some = stdout.readNBytes(1 << 20);
        assertEquals('y', some[0]);
        assertEquals('y', some[(1 << 20) - 2], "reading lets it go on");
        assertNull(child.poll());
        child.kill();
        assertEquals(128 + 9, child.waitFor());
    }

    @Test
    void stdinAndStdoutStreamConcurrentlyBetweenGreenlets() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(11).nextBytes(data);
        Subprocess cat = Subprocess.start("cat");
        Greenlet<Void> writer = Green.spawn(() -> {
            try (OutputStream in = cat.stdin()) {
                for (int off = 0; off < data.length; off += 10_000) {
                    in.write(data, off, Math.min(10_000, data.length - off));
                }
            }
        });
        Greenlet<byte[]> reader = Green.spawn(() -> cat.stdout().readAllBytes());
        assertArrayEquals(data, reader.get());
        writer.get();
        assertEquals(0, cat.waitFor());
    }

    @Test
    void writingToAChildThatExitedFailsWithIOException() throws Exception {
        Subprocess gone = Subprocess.start("true");
        assertEquals(0, gone.waitFor());
        IOException e = assertThrows(IOException.class, () -> {
            OutputStream in = gone.stdin();
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 100; i++) {
                in.write(chunk);
            }
            in.flush();
        });
        assertTrue(e.getMessage().contains("stdin"), e.getMessage());
    }

    @Test
    void greenWaitAllWaitsForRunningChildrenAndTheyAreWaitable() throws Exception {
        long start = System.nanoTime();
        Subprocess a = Subprocess.start("sleep", "0.3");
        Subprocess b = Subprocess.start("sh", "-c", "exit 4");
        assertEquals(List.of(b, a), Green.waitAll(List.of(a, b), Duration.ofSeconds(5)), "in the order they exited");
        Subprocess c = Subprocess.start("sleep", "0.3");
        Green.waitAll();
        assertTrue(millisSince(start) >= 550, "waitAll() waited for the child");
        assertEquals(0, c.poll());
        assertEquals(4, b.poll());
    }

    @Test
    void redirectsOfTheBuilderAreHonoured() throws Exception {
        Subprocess merged = Subprocess.start(new ProcessBuilder("sh", "-c", "echo a; echo b >&2").redirectErrorStream(true));
        Subprocess.Result result = merged.communicate(null, Duration.ofSeconds(10));
        assertEquals("a\nb\n", text(result.stdout()));
        assertEquals(0, result.stderr().length);
        Subprocess noStdin = Subprocess.start(new ProcessBuilder("true").redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
        assertThrows(IllegalStateException.class, () -> noStdin.communicate(new byte[] {1}, null));
        assertEquals(0, noStdin.waitFor());
    }

    @Test
    void closeDropsThePipesAndTheChildSeesThem() throws Exception {
        Subprocess child = Subprocess.start("yes");
        Green.sleep(Duration.ofMillis(50));
        child.close();
        assertNotNull(child.waitFor(Duration.ofSeconds(10)), "yes ended on its broken pipe");
        assertThrows(IOException.class, () -> child.stdout().read());
    }

    @Test
    void itsStreamsBelongToItsLoop() throws Exception {
        Subprocess child = Subprocess.start("echo", "hi");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                child.stdout().read();
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        other.join();
        assertInstanceOf(IllegalStateException.class, seen.get());
        assertEquals("hi\n", text(child.stdout().readAllBytes()));
        assertEquals(0, child.waitFor());
    }

    private static int countLines(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        int lines = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

}
