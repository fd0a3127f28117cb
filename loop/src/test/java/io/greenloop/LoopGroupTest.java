package io.greenloop;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.IoHandle;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link LoopGroup} apart from any transport (the transport-specific behaviour is in
 * {@link LoopGroupConformanceTest}): its input checks, its threads, and closing.
 */
class LoopGroupTest {

    private static Set<String> threadNames(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith(prefix)).collect(Collectors.toSet());
    }

    @Test
    void refusesFewerThanOneLoop() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoopGroup.start(0));
        assertTrue(e.getMessage().contains("at least one loop"), e::getMessage);
    }

    @Test
    void anUnknownTransportFailsTheStartAndLeavesNoThreadBehind() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LoopGroup.start(2, "no-such-transport"));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no-such-transport"), () -> e.getCause().getMessage());
        String group = e.getMessage().substring(e.getMessage().indexOf("LoopGroup-"));
        assertEquals(Set.of(), threadNames(group + "-"));
    }

    @Test
    void loopIIsPinnedToCpuIModuloTheCpusGivenAndOpenedWithTheOptions() throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux"), "sched_setaffinity is Linux's");
        java.util.BitSet allowed = CpuPinning.allowedCpus();
        int first = allowed.nextSetBit(0);
        int last = allowed.previousSetBit(allowed.length());
        Loop.Options options = Loop.Options.defaults().withTransport("nio").withIdleStrategy(IdleStrategy.backoff(10, 1));
        try (LoopGroup group = LoopGroup.start(3, options, last, first)) {
            List<Integer> cpus = new ArrayList<>();
            for (Loop loop : group.loops()) {
                CompletableFuture<java.util.BitSet> mask = new CompletableFuture<>();
                loop.execute(() -> mask.complete(CpuPinning.currentThreadCpus()));
                java.util.BitSet pinned = mask.get(30, TimeUnit.SECONDS);
                assertEquals(1, pinned.cardinality(), loop + " is pinned to one CPU: " + pinned);
                cpus.add(pinned.nextSetBit(0));
                assertEquals(options.withCpu(pinned.nextSetBit(0)), loop.options());
            }
            assertEquals(List.of(last, first, last), cpus, "loop i on cpus[i % cpus.length]");
        }
    }

    @Test
    void aGroupTakesItsCpusAsAnArgumentNotInItsOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopGroup.start(2, Loop.Options.defaults().withCpu(0)));
        assertTrue(e.getMessage().contains("LoopGroup.start(loops, options, cpu0, cpu1, ...)"), e.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> LoopGroup.start(2, Loop.Options.defaults(), 0, -1));
        assertTrue(negative.getMessage().contains("CPU -1 in [0, -1] is no CPU"), negative.getMessage());
    }

    @Test
    void aCpuTheProcessMayNotUseFailsTheStartAndLeavesNoThreadBehind() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux"), "sched_setaffinity is Linux's");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LoopGroup.start(2, Loop.Options.defaults().withTransport("nio"), 999));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("CPU 999 is outside the CPUs this process may run on"), e.getCause().getMessage());
        String group = e.getMessage().substring(e.getMessage().indexOf("LoopGroup-"));
        assertEquals(Set.of(), threadNames(group + "-"));
    }

    @Test
    void threadsAreNamedAfterTheGroupAndEndWithClose() throws Exception {
        LoopGroup group = LoopGroup.start(3, "nio");
        String name = group.toString().substring(0, group.toString().indexOf('['));
        assertEquals(Set.of(name + "-0", name + "-1", name + "-2"), threadNames(name + "-"));
        assertEquals(3, group.size());
        assertEquals(3, Set.copyOf(group.loops()).size());
        group.close();
        group.close();  // idempotent
        assertEquals(Set.of(), threadNames(name + "-"));
    }

    @Test
    void theAcceptorThreadRunsNothingButAcceptsAndEndsWithClose() throws Exception {
        LoopGroup group = LoopGroup.start(2, "nio");
        String name = group.toString().substring(0, group.toString().indexOf('['));
        InetSocketAddress address = group.serve(new InetSocketAddress("127.0.0.1", 0),
                (socket, peer) -> socket.write(new byte[] {(byte) group.loops().indexOf(Loop.current())}, 0, 1),
                GroupListeners.Spread.ACCEPTOR_THREAD);
        assertEquals(Set.of(name + "-0", name + "-1", name + "-acceptor-0"), threadNames(name + "-"));
        try (Socket client = new Socket()) {
            client.setSoTimeout(30_000);
            client.connect(address, 10_000);
            int loop = client.getInputStream().read();
            assertTrue(loop == 0 || loop == 1, "a loop of the group serves, not the acceptor: " + loop);
        }
        group.close();
        assertEquals(Set.of(), threadNames(name + "-"));
    }

    @Test
    void closeInsideTheGroupIsRefusedInsteadOfWaitingForItself() throws Exception {
        try (LoopGroup group = LoopGroup.start(1, "nio")) {
            AsyncResult<Object> inside = group.submit(() -> {
                group.close();
                return null;
            });
            assertThrows(Exception.class, () -> inside.get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, inside.exception());
        }
    }

    @Test
    void aLoopThatFailsIsReportedByCloseAndTheOthersKeepRunning() throws Exception {
        LoopGroup group = LoopGroup.start(2, "nio");
        try {
            Loop failing = group.loops().get(0);
            AssertionError fatal = new AssertionError("a listener broke its loop");
            // An Error thrown by a readiness listener is not a greenlet's failure: it ends the loop's run.
            failing.execute(() -> {
                try {
                    DatagramHandle handle = LowLevel.transportOf(failing).openDatagram(StandardProtocolFamily.INET);
                    handle.listener(readyOps -> {
                        throw fatal;
                    });
                    handle.interest(IoHandle.WRITE);  // a UDP socket is writable at once
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            AsyncResult<String> other = new AsyncResult<>();
            Loop second = group.loops().get(1);
            second.execute(() -> second.spawn(() -> {
                Green.sleep(Duration.ofMillis(300));  // past the other loop's failure
                other.set("still running");
            }));
            assertEquals("still running", other.get(30, TimeUnit.SECONDS));
            IllegalStateException reported = assertThrows(IllegalStateException.class, group::close);
            assertEquals(fatal, reported.getCause());
        } finally {
            group.close();
        }
    }

    @Test
    void itIsAnExecutorThatJdkCodeHandsWorkTo() throws Exception {
        LoopGroup group = LoopGroup.start(2, "nio");
        String name = group.toString().substring(0, group.toString().indexOf('['));
        Executor executor = group;
        String ranOn = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), executor).get(30, TimeUnit.SECONDS);
        assertTrue(ranOn.startsWith(name + "-"), ranOn);
        group.close();
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> { }));
    }

    /**
     * Plain code composes stages over greenlets on the group's loops, and no thread waits for them: the loops
     * go on serving while the chains are pending, no thread is added per chain, and each stage runs on the loop
     * thread that finished what it waited for.
     */
    @Test
    void completionStagesWaitOnGreenletsWithoutBlockingAThread() throws Exception {
        int chains = 100;
        try (LoopGroup group = LoopGroup.start(2, "nio")) {
            // One result per loop: an AsyncResult is waited for on one loop.
            Map<Loop, AsyncResult<String>> releases = new HashMap<>();
            group.loops().forEach(loop -> releases.put(loop, new AsyncResult<>()));
            List<Greenlet<String>> waiting = new ArrayList<>();
            for (int i = 0; i < chains; i++) {
                Loop loop = group.next();
                int n = i;
                waiting.add(CompletableFuture.supplyAsync(() -> loop.spawn(() -> releases.get(loop).get() + n), loop)
                        .get(30, TimeUnit.SECONDS));
            }
            ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
            int threadsBefore = threadBean.getThreadCount();
            Set<Boolean> onTheGreenletsLoop = ConcurrentHashMap.newKeySet();
            List<CompletableFuture<String>> composed = new ArrayList<>();
            for (Greenlet<String> greenlet : waiting) {
                composed.add(greenlet.toCompletableFuture()
                        .thenCompose(value -> {
                            onTheGreenletsLoop.add(greenlet.loop().thread.isCurrent());
                            return group.submit(() -> value + " and then").toCompletableFuture();
                        })
                        .thenApplyAsync(value -> value + " on " + Thread.currentThread().getName(), group));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(composed.toArray(CompletableFuture[]::new));
            for (int i = 0; i < group.size(); i++) {
                assertEquals("serving", group.submit(() -> "serving").get(30, TimeUnit.SECONDS),
                        "the loops go on while the chains are pending");
            }
            assertFalse(all.isDone());
            assertTrue(threadBean.getThreadCount() < threadsBefore + chains / 2,
                    "no thread waits per chain: " + threadsBefore + " threads before, " + threadBean.getThreadCount() + " now");
            releases.values().forEach(release -> release.set("released "));
            all.get(30, TimeUnit.SECONDS);
            String name = group.toString().substring(0, group.toString().indexOf('['));
            for (int i = 0; i < chains; i++) {
                String value = composed.get(i).get();
                assertTrue(value.startsWith("released " + i + " and then on " + name + "-"), value);
            }
            assertEquals(Set.of(true), onTheGreenletsLoop, "each first stage ran on the loop of the greenlet it waited for");
        }
    }
}
