package io.greenloop.net;

import io.greenloop.Eventually;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.LoopExtension;
import io.greenloop.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real lookups of names this machine resolves offline ("localhost", the hosts file) and of names that
 * cannot resolve (".invalid" is reserved). Lookups here answer in a millisecond, too fast to show that the
 * loop runs during one; so some tests first hold every thread of {@link Dns}'s pool ({@link HeldLookupPool}),
 * which makes every lookup queue behind them, and check that the loop keeps going and that the lookup lands
 * once the pool is let go.
 */
class DnsTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void getHostByNameGivesTheFirstIpv4AddressDotted() throws Exception {
        assertEquals("127.0.0.1", Dns.getHostByName("localhost"));
        assertEquals("10.1.2.3", Dns.getHostByName("10.1.2.3"));
        assertEquals("127.0.0.1", Green.spawn(() -> Dns.getHostByName("localhost")).get());
        assertTrue(Dns.getAllByName("localhost").contains(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void anUnknownHostFailsWithItsName() {
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> Dns.getHostByName("no-such-host.invalid"));
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
        Greenlet<String> inGreenlet = Green.spawn(() -> Dns.getHostByName("another-missing-host.invalid"));
        inGreenlet.join();
        assertTrue(inGreenlet.exception() instanceof UnknownHostException, String.valueOf(inGreenlet.exception()));
        assertTrue(inGreenlet.exception().getMessage().contains("another-missing-host.invalid"));
        assertEquals(List.of(inGreenlet.exception()), loop.takeErrors(), "the greenlet's failure reached the loop's handler");
    }

    @Test
    void greenletsLookingNamesUpParkWhileTheLoopRuns() {
        HeldLookupPool held = HeldLookupPool.holdDns();
        Ticker ticker = Ticker.start(Duration.ofMillis(10));
        List<Greenlet<String>> lookups = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String host = i % 2 == 0 ? "localhost" : "missing-" + i + ".invalid";
            lookups.add(Green.spawn(() -> Dns.getHostByName(host)));
        }
        // Ordered by cause: the loop must tick while the pool is held, and no lookup can end before it is let go.
        Eventually.await("10 ticks of the loop while the lookups queue", () -> ticker.ticks() >= 10);
        assertTrue(lookups.stream().noneMatch(Greenlet::ready), "the lookups waited for the pool");
        held.release();
        List<Greenlet<?>> finished = Green.joinAll(lookups, Duration.ofSeconds(10));
        ticker.stop();
        assertEquals(20, finished.size());
        for (int i = 0; i < 20; i++) {
            Greenlet<String> lookup = lookups.get(i);
            if (i % 2 == 0) {
                assertEquals("127.0.0.1", lookup.value());
            } else {
                assertTrue(lookup.exception() instanceof UnknownHostException, String.valueOf(lookup.exception()));
            }
        }
        assertEquals(10, loop.takeErrors().size(), "the failed lookups' greenlets reported their failures");
        held.releaseAndAwaitEnd();
    }

    @Test
    void jdkLookupsInsideGreenletsGoThroughThePoolAndOutsideThemStayDirect() throws Exception {
        HeldLookupPool held = HeldLookupPool.holdDns();
        Ticker ticker = Ticker.start(Duration.ofMillis(10));
        String fresh = "jdk-lookup-" + System.nanoTime() + ".invalid"; // never cached by InetAddress
        Greenlet<Throwable> inGreenlet = Green.spawn(() ->
                assertThrows(UnknownHostException.class, () -> InetAddress.getAllByName(fresh)));
        Green.sleep();
        // Outside greenlets the provider calls the built-in resolver at once: had it queued behind the held
        // pool, nothing would have let it through before the pool's timeout.
        long directStart = System.nanoTime();
        assertThrows(UnknownHostException.class, () -> InetAddress.getAllByName("direct-" + fresh));
        long direct = millisSince(directStart);
        assertTrue(direct < Dns.pool().timeout().toMillis() / 2, "a lookup outside greenlets did not queue: " + direct + " ms");
        Eventually.await("10 ticks of the loop while the greenlet's lookup queues", () -> ticker.ticks() >= 10);
        assertFalse(inGreenlet.ready(), "the greenlet's lookup queued on the pool");
        held.release();
        Throwable failure = inGreenlet.get();
        ticker.stop();
        assertTrue(failure.getMessage().contains(fresh), failure.getMessage());
        held.releaseAndAwaitEnd();
    }

    @Test
    void javaNetSocketWithAHostNameWorksInsideGreenlets() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> answerEachWithOneByte(server));
            List<Greenlet<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                clients.add(Green.spawn(() -> {
                    try (Socket socket = new Socket("localhost", server.getLocalPort())) {
                        return socket.getInputStream().read();
                    }
                }));
            }
            Green.joinAll(clients, Duration.ofSeconds(10));
            for (Greenlet<Integer> client : clients) {
                assertEquals(42, client.value(), String.valueOf(client.exception()));
            }
            acceptor.interrupt();
        }
    }

    @Test
    void theFirstLookupOfAJvmMayHappenInsideAGreenlet() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.greenloop.net.DnsProbe");
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, probe.exitValue(), output);
        assertTrue(output.contains("first lookup in a greenlet: ok"), output);
    }

    @Test
    void aLookupThatTakesLongerThanTheTimeoutFailsWithTheTimeoutInItsMessage() {
        LookupPool pool = new LookupPool(2, 4, Duration.ofMillis(300), "dns-timeout-test");
        CountDownLatch released = new CountDownLatch(1);
        long start = System.nanoTime();
        UnknownHostException failure = assertThrows(UnknownHostException.class, () -> pool.run("test", "hangs.example", () -> {
            released.await(10, TimeUnit.SECONDS);
            return null;
        }));
        released.countDown();
        assertTrue(failure.getMessage().contains("hangs.example: no answer within 300 ms"), failure.getMessage());
        assertTrue(millisSince(start) < 5_000, "the caller did not wait for the lookup to end");
    }

    @Test
    void aLookupEveryCallerGaveUpOnNeverRuns() throws Exception {
        LookupPool pool = new LookupPool(1, 4, Duration.ofSeconds(10), "dns-dropped-test");
        HeldLookupPool held = HeldLookupPool.hold(pool, 1);
        AtomicInteger runs = new AtomicInteger();
        Greenlet<String> caller = Green.spawn(() -> pool.run("test", "dropped.example", () -> "ran " + runs.incrementAndGet()));
        Green.sleep(); // it runs up to its wait: the lookup is queued behind the held one
        caller.kill();
        held.releaseAndAwaitEnd();
        // The held thread is free again; a lookup made now runs after anything still queued would have.
        assertEquals("after", pool.run("test", "after.example", () -> "after"));
        assertEquals(0, runs.get(), "the lookup its only caller left never ran");
    }

    @Test
    void callersOfOneNameShareOneLookup() throws Exception {
        LookupPool pool = new LookupPool(2, 4, Duration.ofSeconds(10), "dns-shared-test");
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch answer = new CountDownLatch(1);
        List<Greenlet<String>> callers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            callers.add(Green.spawn(() -> pool.run("test", "same.example", () -> {
                runs.incrementAndGet();
                answer.await(10, TimeUnit.SECONDS);
                return "the answer";
            })));
        }
        Green.sleep(); // every caller runs up to its wait
        answer.countDown();
        loop.joinAllOrFail(callers, Duration.ofSeconds(10));
        for (Greenlet<String> caller : callers) {
            assertEquals("the answer", caller.get());
        }
        assertEquals(1, runs.get(), "ten callers of one name made one lookup");
        assertEquals(List.of("again"), List.of(pool.run("test", "same.example", () -> "again")), "a finished lookup is not reused");
    }

    @Test
    void aLookupNobodyWaitsForIsWrittenOffUpToTheLimitThenCountsAgain() throws Exception {
        LookupPool pool = new LookupPool(1, 1, Duration.ofSeconds(10), "dns-written-off-test");
        CountDownLatch hangingEnds = new CountDownLatch(1);
        CountDownLatch firstRuns = new CountDownLatch(1);
        CountDownLatch secondRuns = new CountDownLatch(1);
        Greenlet<Object> first = Green.spawn(() -> pool.run("test", "first.example", () -> hang(firstRuns, hangingEnds)));
        Eventually.await("the first lookup to run", () -> firstRuns.getCount() == 0);
        first.kill(); // its only caller leaves: the call hangs on, written off
        Greenlet<Object> second = Green.spawn(() -> pool.run("test", "second.example", () -> hang(secondRuns, hangingEnds)));
        Eventually.await("the second lookup to run beside the written-off one", () -> secondRuns.getCount() == 0);
        second.kill(); // one more than the limit of 1: now the abandoned calls take the pool's one place
        Ticker ticker = Ticker.start(Duration.ofMillis(5));
        Greenlet<String> third = Green.spawn(() -> pool.run("test", "third.example", () -> "third"));
        Eventually.await("10 ticks while the third lookup waits", () -> ticker.ticks() >= 10);
        ticker.stop();
        assertFalse(third.ready(), "past the limit, a lookup waits for a hanging call to end");
        hangingEnds.countDown();
        assertEquals("third", third.get());
    }

    /** Hangs until {@code ends}, or a minute at most: longer than any wait of the test, so that only {@code ends} ends it in time. */
    private static Object hang(CountDownLatch running, CountDownLatch ends) throws InterruptedException {
        running.countDown();
        ends.await(60, TimeUnit.SECONDS);
        return null;
    }

    @Test
    void aHangingLookupDoesNotStallTheOthers() throws Exception {
        LookupPool pool = new LookupPool(2, 8, Duration.ofSeconds(5), "dns-stall-test");
        // Hangs until the others are done, by cause: had they queued behind it they could not finish at all.
        HeldLookupPool hanging = HeldLookupPool.hold(pool, 1);
        List<Greenlet<String>> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String name = "quick-" + i;
            others.add(Green.spawn(() -> pool.run("test", name, () -> name)));
        }
        List<Greenlet<?>> finished = Green.joinAll(others, Duration.ofSeconds(5));
        assertEquals(8, finished.size(), "the quick lookups went round the hanging one");
        for (int i = 0; i < 8; i++) {
            assertEquals("quick-" + i, others.get(i).get());
        }
        hanging.releaseAndAwaitEnd();
    }

    static void answerEachWithOneByte(ServerSocket server) {
        while (true) {
            try (Socket client = server.accept()) {
                client.getOutputStream().write(42);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
