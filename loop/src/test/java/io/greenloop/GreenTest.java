package io.greenloop;

import io.greenloop.lowlevel.LowLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.IoHandle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GreenTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void sleepZeroLetsEveryReadyGreenletRunOnceInOrder() {
        StringBuilder written = new StringBuilder();
        List<Greenlet<?>> greenlets = new ArrayList<>();
        for (String letter : List.of("a", "b", "c")) {
            greenlets.add(Green.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    written.append(letter);
                    Green.sleep();
                }
            }));
        }
        Green.joinAll(greenlets);
        assertEquals("abcabcabc", written.toString());
    }

    @Test
    void sleepsOverlap() {
        long start = System.nanoTime();
        List<Greenlet<?>> sleepers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sleepers.add(Green.spawn(() -> Green.sleep(Duration.ofMillis(300))));
        }
        assertEquals(10, Green.joinAll(sleepers).size());
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis >= 300, "slept " + elapsedMillis + " ms");
        assertTrue(elapsedMillis < 3_000, "10 x 300 ms took " + elapsedMillis + " ms: they did not overlap");
    }

    @Test
    void oneHundredThousandGreenletsSleepAtOnce() {
        int count = 100_000;
        List<Greenlet<Integer>> sleepers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = i;
            sleepers.add(Green.spawn(() -> {
                Green.sleep(Duration.ofMillis(200));
                return n;
            }));
        }
        assertEquals(count, Green.joinAll(sleepers).size());
        long sum = 0;
        for (Greenlet<Integer> sleeper : sleepers) {
            sum += sleeper.value();
        }
        assertEquals((long) count * (count - 1) / 2, sum);
    }

    @Test
    void joinAllWithATimeoutReturnsTheFinishedOnesInCompletionOrder() {
        Greenlet<String> slow = Green.spawn(() -> {
            Green.sleep(Duration.ofSeconds(30));
            return "slow";
        });
        Greenlet<String> second = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(60));
            return "second";
        });
        Greenlet<String> first = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(20));
            return "first";
        });
        List<Greenlet<?>> finished = Green.joinAll(List.of(slow, second, first), Duration.ofMillis(500));
        assertEquals(List.of(first, second), finished);
        slow.kill();
    }

    @Test
    void joinAllOrdersAlreadyFinishedGreenletsByCompletion() {
        Greenlet<Void> later = Green.spawn(() -> Green.sleep(Duration.ofMillis(30)));
        Greenlet<Void> earlier = Green.spawn(() -> { });
        Green.waitAll();
        assertEquals(List.of(earlier, later), Green.joinAll(List.of(later, earlier)));
    }

    @Test
    void waitAllTakesAnyWaitables() {
        Event event = new Event();
        AsyncResult<String> result = new AsyncResult<>();
        Greenlet<Void> setter = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(10));
            event.set();
            Green.sleep(Duration.ofMillis(10));
            result.set("value");
        });
        List<Waitable> ready = Green.waitAll(List.of(result, event, setter), Duration.ofSeconds(5));
        assertEquals(List.of(event, result, setter), ready);
        Event never = new Event();
        assertEquals(List.of(event), Green.waitAll(List.of(never, event), Duration.ofMillis(20)));
    }

    @Test
    void waitAllWaitsForGreenletsSpawnedByGreenletsAndForTimers() {
        List<String> events = new ArrayList<>();
        Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(10));
            Green.spawn(() -> {
                Green.sleep(Duration.ofMillis(20));
                events.add("grandchild");
                // Armed by the last greenlet as it ends, so the order below is causal (an 80 ms timer armed at
                // the start once fired before the 30 ms of sleeps on a loaded machine), and waitAll must
                // then wait for a timer alone.
                Loop.current().schedule(Duration.ofMillis(50), () -> events.add("timer"));
            });
            events.add("child");
        });
        Green.waitAll();
        assertEquals(List.of("child", "grandchild", "timer"), events);
    }

    @Test
    void waitAllInsideAGreenletIsRefused() {
        Greenlet<Void> greenlet = Green.spawn(() -> Green.waitAll());
        greenlet.join();
        assertInstanceOf(IllegalStateException.class, greenlet.exception());
        loop.takeErrors();
    }

    @Test
    void spawnLaterRunsAfterTheDelayAndNeverWhenKilledFirst() throws Exception {
        long start = System.nanoTime();
        Greenlet<Long> later = Green.spawnLater(Duration.ofMillis(50), () -> (System.nanoTime() - start) / 1_000_000);
        assertTrue(later.get() >= 50, later.get() + " ms");

        List<String> ran = new ArrayList<>();
        Greenlet<Boolean> killed = Green.spawnLater(Duration.ofMillis(50), () -> ran.add("ran"));
        Green.sleep(Duration.ofMillis(5));
        killed.kill();
        Green.sleep(Duration.ofMillis(80));
        assertEquals(List.of(), ran);
    }

    @Test
    void withTimeoutEndsASpinningGreenletBecauseTimersStillFire() {
        Timeout.Expired expired = assertThrows(Timeout.Expired.class,
                () -> Green.withTimeout(Duration.ofMillis(10), () -> {
                    while (true) {
                        Green.sleep();
                    }
                }));
        assertTrue(expired.getMessage().contains("10 ms"), expired.getMessage());
    }

    @Test
    void withTimeoutPassesResultsAndExceptionsThrough() {
        assertEquals("quick", Green.withTimeout(Duration.ofSeconds(5), () -> "quick"));
        IllegalStateException unchecked = new IllegalStateException("as is");
        assertSame(unchecked, assertThrows(IllegalStateException.class,
                () -> Green.withTimeout(Duration.ofSeconds(5), () -> {
                    throw unchecked;
                })));
        IOException checked = new IOException("wrapped");
        CompletionException wrapped = assertThrows(CompletionException.class,
                () -> Green.withTimeout(Duration.ofSeconds(5), () -> {
                    throw checked;
                }));
        assertSame(checked, wrapped.getCause());
    }

    @Test
    void withTimeoutEndsAJdkBlockingCallInAGreenlet() {
        Greenlet<Object> greenlet = Green.spawn(() -> Green.withTimeout(Duration.ofMillis(20), () -> {
            Thread.sleep(30_000);
            return "slept";
        }));
        greenlet.join(Duration.ofSeconds(10));
        assertInstanceOf(Timeout.Expired.class, greenlet.exception());
        loop.takeErrors();
    }

    @Test
    void aGreenletSpinningOnSleepStillLetsIoRun() throws Exception {
        DatagramHandle handle = LowLevel.transportOf(Loop.current()).openDatagram(StandardProtocolFamily.INET);
        handle.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Event arrived = new Event();
        handle.listener(ops -> arrived.set());
        handle.interest(IoHandle.READ);
        Greenlet<Integer> spinner = Green.spawn(() -> {
            int spins = 0;
            while (!arrived.isSet()) {
                Green.sleep();
                spins++;
            }
            return spins;
        });
        try (DatagramSocket sender = new DatagramSocket()) {
            byte[] data = "ping".getBytes();
            sender.send(new DatagramPacket(data, data.length, handle.localAddress()));
        }
        assertTrue(spinner.join(Duration.ofSeconds(10)), "the datagram's readiness never reached the spinning loop");
        ByteBuffer received = ByteBuffer.allocate(16);
        handle.receive(received);
        assertEquals("ping", new String(received.array(), 0, received.position()));
        handle.close();
    }

    @Test
    void aWaitThatCouldOnlyLastForeverThrowsLoopExit() {
        Event never = new Event();
        LoopExit exit = assertThrows(LoopExit.class, never::await);
        assertTrue(exit.getMessage().contains("Event.await()"), exit.getMessage());

        Greenlet<Void> stuck = Green.spawn(() -> never.await());
        LoopExit joinExit = assertThrows(LoopExit.class, stuck::join);
        assertTrue(joinExit.getMessage().contains(stuck.name()), joinExit.getMessage());
        stuck.kill();
    }

    @Test
    void sleepOnTheOwnerThreadRunsTheLoop() {
        List<String> events = new ArrayList<>();
        Green.spawn(() -> events.add("ran"));
        Green.sleep();
        assertEquals(List.of("ran"), events);
    }

    // gevent's joinall(raise_error=True): the first failure is thrown as soon as it happens.
    @Test
    void joinAllWithRaiseErrorThrowsTheFirstFailureWithoutWaitingForTheRest() {
        Greenlet<Void> slow = Green.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        Greenlet<Void> failing = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(5));
            throw new IllegalStateException("failed on purpose");
        });
        long start = System.nanoTime();
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Green.joinAll(List.of(slow, failing), null, true));
        assertEquals("failed on purpose", thrown.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "it waited for the slow one");
        assertEquals(List.of(thrown), loop.takeErrors());
        slow.kill();
    }

    @Test
    void joinAllWithRaiseErrorWrapsACheckedFailureAndIgnoresKills() {
        Greenlet<Void> killed = Green.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        Green.sleep();
        killed.kill();
        Greenlet<Integer> fine = Green.spawn(() -> 1);
        assertEquals(2, Green.joinAll(List.of(killed, fine), null, true).size());
        Greenlet<Void> checked = Green.spawn(() -> {
            throw new IOException("checked");
        });
        CompletionException wrapped = assertThrows(CompletionException.class, () -> Green.joinAll(List.of(checked), null, true));
        assertInstanceOf(IOException.class, wrapped.getCause());
        loop.takeErrors();
    }
}
