package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gevent's test__greenletset.py (Group) re-expressed. */
class GroupTest {

    private static final Duration DELAY = Duration.ofMillis(40);

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void greenletsLeaveTheGroupAsTheyFinish() {
        Group group = new Group();
        group.spawn(() -> Green.sleep(DELAY));
        assertEquals(1, group.count());
        group.spawn(() -> Green.sleep(DELAY.multipliedBy(5)));
        assertEquals(2, group.count());
        Green.sleep(DELAY.multipliedBy(2));
        assertEquals(1, group.count());
        Green.sleep(DELAY.multipliedBy(5));
        assertEquals(0, group.count());
    }

    @Test
    void joinWaitsForTheLast() {
        Group group = new Group();
        group.spawn(() -> Green.sleep(DELAY));
        group.spawn(() -> Green.sleep(DELAY.multipliedBy(2)));
        long start = System.nanoTime();
        group.join();
        long elapsed = System.nanoTime() - start;
        assertEquals(0, group.count());
        assertTrue(elapsed >= DELAY.multipliedBy(2).toNanos() * 9 / 10, "waited " + elapsed / 1_000_000 + " ms");
    }

    @Test
    void joinWithATimeoutReturnsFalseWhileBusy() {
        Group group = new Group();
        group.spawn(() -> Green.sleep(DELAY.multipliedBy(3)));
        assertFalse(group.join(Duration.ofMillis(5)));
        assertTrue(group.join(Duration.ofSeconds(5)));
    }

    @Test
    void killEndsThemAtOnce() {
        Group group = new Group();
        group.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        group.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        assertEquals(2, group.count());
        long start = System.nanoTime();
        group.kill();
        assertEquals(0, group.count());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
    }

    @Test
    void killOfGreenletsThatFailedOrNeverStartedIsHarmless() {
        extension.loop().errorHandler((greenlet, error) -> { });  // the failure below is meant
        Group group = new Group();
        Greenlet<Integer> failing = group.spawn(() -> 1 / 0);
        Greenlet<Void> sleeping = group.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        group.kill();                                      // neither had started
        assertTrue(failing.ready() && sleeping.ready());
        assertEquals(0, group.count());
        group.kill();                                      // a second kill does nothing
    }

    @Test
    void spawnNeverParksAndMapRunsEverythingAtOnce() {
        Group group = new Group();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> items = IntStream.range(0, 50).boxed().toList();
        List<Integer> results = group.map(x -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Green.sleep(Duration.ofMillis(5));
            running.decrementAndGet();
            return -x;
        }, items);
        assertEquals(items.stream().map(x -> -x).toList(), results);
        assertEquals(50, most.get());
    }

    @Test
    void imapUnorderedYieldsInCompletionOrder() {
        Group group = new Group();
        List<Integer> order = new ArrayList<>();
        for (Integer x : group.<Integer, Integer>imapUnordered(x -> {
            Green.sleep(Duration.ofMillis(x * 10L));
            return x;
        }, List.of(5, 1, 3))) {
            order.add(x);
        }
        assertEquals(List.of(1, 3, 5), order);
    }

    @Test
    void greenletsListsThemInSpawnOrder() {
        Group group = new Group();
        Greenlet<Void> a = group.spawn(() -> Green.sleep(DELAY));
        Greenlet<Void> b = group.spawn(() -> Green.sleep(DELAY));
        assertEquals(List.of(a, b), group.greenlets());
        group.join();
        assertEquals(List.of(), group.greenlets());
    }

    @Test
    void aGreenletThatKillsItsOwnGroupDiesLast() {
        Group group = new Group();
        Greenlet<Void> other = group.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        List<String> seen = new ArrayList<>();
        Greenlet<Void> killer = group.spawn(() -> {
            try {
                group.kill();
            } finally {
                seen.add(other.ready() ? "other dead first" : "other alive");
            }
        });
        killer.join(Duration.ofSeconds(5));
        assertInstanceOf(GreenletExit.class, killer.exception());
        assertEquals(List.of("other dead first"), seen);
        assertEquals(0, group.count());
    }

    @Test
    void killIsRefusedOnAnotherThread() throws Exception {
        Group group = new Group();
        group.join();
        Throwable[] failure = new Throwable[1];
        Thread other = new Thread(() -> failure[0] = assertThrows(IllegalStateException.class, group::kill));
        other.start();
        other.join();
        assertInstanceOf(IllegalStateException.class, failure[0]);
    }
}
