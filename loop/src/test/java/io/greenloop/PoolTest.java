package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gevent's test__pool.py re-expressed, plus FIFO spawners, kill-while-parked and map's failure rules. */
class PoolTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void sizeBelowOneIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new Pool(-1));
        assertTrue(error.getMessage().contains("-1"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Pool(0));
    }

    @Test
    void spawnRunsTheBodyAndReturnsItsValue() throws Exception {
        Pool pool = new Pool(2);
        Event done = new Event();
        pool.spawn(done::set);
        assertTrue(done.await(Duration.ofSeconds(5)));
        assertEquals("return value", pool.spawn(() -> "return value").get());
    }

    @Test
    void aFailingBodyFailsItsGreenletAndFreesTheSlot() {
        Pool pool = new Pool(1);
        extension.loop().errorHandler((greenlet, error) -> { });  // the failure below is meant
        Greenlet<Object> failing = pool.spawn(() -> {
            throw new IllegalStateException("expected");
        });
        failing.join();
        assertInstanceOf(IllegalStateException.class, failing.exception());
        Green.sleep();
        assertEquals(1, pool.freeCount());
        assertEquals("next", join(pool.spawn(() -> "next")));
    }

    @Test
    void greenletsOfThePoolInterleave() {
        Pool pool = new Pool(2);
        Event event = new Event();
        List<String> results = new ArrayList<>();
        Greenlet<Void> consumer = pool.spawn(() -> {
            results.add("cons1");
            event.await();
            results.add("cons2");
        });
        pool.spawn(() -> {
            Green.sleep(Duration.ofMillis(1));
            results.add("prod");
            event.set();
        });
        consumer.join();
        assertEquals(List.of("cons1", "prod", "cons2"), results);
    }

    /** test_execute_async: the free count follows spawns, and a spawn into a full pool parks. */
    @Test
    void freeCountFollowsSpawnsAndAFullPoolParksTheSpawner() {
        Pool pool = new Pool(2);
        assertEquals(2, pool.freeCount());
        List<Integer> results = new ArrayList<>();
        Greenlet<Boolean> first = pool.spawn(() -> results.add(1));
        assertEquals(1, pool.freeCount());
        first.join();
        Green.sleep();
        assertEquals(2, pool.freeCount());
        pool.spawn(() -> results.add(2));
        assertEquals(1, pool.freeCount());
        pool.spawn(() -> results.add(3));
        assertEquals(0, pool.freeCount());
        assertEquals(List.of(1), results, "nothing ran yet");
        pool.spawn(() -> results.add(4));                    // parks (drives the loop) until a slot frees
        assertEquals(List.of(1, 2, 3), results.subList(0, 3));
        pool.join();
        assertEquals(List.of(1, 2, 3, 4), results);
    }

    @Test
    void spawnIntoAFullPoolHonoursAnEnclosingTimeout() {
        Pool pool = new Pool(1);
        Greenlet<Void> sleeper = pool.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        assertThrows(Timeout.Expired.class,
                () -> Green.withTimeout(Duration.ofMillis(20), () -> pool.spawn(() -> "never")));
        assertEquals(0, pool.freeCount());
        assertEquals(1, pool.count());
        assertEquals(List.of(sleeper), pool.greenlets());
        pool.kill();
        assertEquals(1, pool.freeCount());
        assertEquals(0, pool.count());
    }

    @Test
    void parkedSpawnersAreServedInArrivalOrder() {
        Pool pool = new Pool(1);
        Event release = new Event();
        pool.spawn(() -> release.await());
        List<Integer> started = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int id = i;
            Green.spawn(() -> pool.spawn(() -> started.add(id)));
        }
        Green.sleep();
        release.set();
        pool.join();
        Green.sleep(Duration.ofMillis(5));
        pool.join();
        assertEquals(List.of(0, 1, 2, 3), started);
    }

    /** A spawner handed a slot and then killed before it resumed gives the slot back. */
    @Test
    void spawnerKilledAfterBeingHandedASlotGivesItBack() {
        Pool pool = new Pool(1);
        Event release = new Event();
        Greenlet<Void> occupant = pool.spawn(() -> release.await());
        List<String> ran = new ArrayList<>();
        Greenlet<Greenlet<Boolean>> spawner = Green.spawn(() -> pool.spawn(() -> ran.add("spawned")));
        Green.sleep();
        // The pool's own link (added at spawn) frees the slot and hands it to the spawner; ours runs right
        // after it in the same notifier pass, before the spawner can resume.
        occupant.link(done -> spawner.kill(new GreenletExit(), false, null));
        release.set();
        spawner.join(Duration.ofSeconds(5));
        assertInstanceOf(GreenletExit.class, spawner.exception());
        Green.sleep();
        assertEquals(List.of(), ran);
        assertEquals(1, pool.freeCount(), "the slot was not lost");
        assertEquals(0, pool.count());
    }

    @Test
    void joinOnAnEmptyPoolReturnsAtOnce() {
        Pool pool = new Pool(3);
        assertTrue(pool.join(Duration.ZERO));
        pool.join();
    }

    /** testSpawnAndWait. */
    @Test
    void joinWithATimeoutOnABusyPoolReturnsFalse() {
        Pool pool = new Pool(1);
        pool.spawn(() -> Green.sleep(Duration.ofMillis(100)));
        assertEquals(1, pool.count());
        assertFalse(pool.join(Duration.ofMillis(10)), "waiting on a busy pool timed out");
        pool.join();
        assertEquals(0, pool.count());
    }

    /** TestSpawn: a spawn into a full pool blocks until the old one finishes. */
    @Test
    void spawnBlocksUntilTheOldOneFinishes() {
        Pool pool = new Pool(1);
        assertEquals(0, pool.count());
        Greenlet<Void> old = pool.spawn(() -> Green.sleep(Duration.ofMillis(50)));
        assertEquals(1, pool.count());
        pool.spawn(() -> Green.sleep(Duration.ofMillis(50)));
        assertTrue(old.ready());
        assertEquals(1, pool.count());
        assertTrue(pool.join(Eventually.LIMIT), "the second one finished too");
        assertEquals(0, pool.count());
    }

    @Test
    void joinHonoursKill() {
        Pool pool = new Pool(1);
        pool.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        Greenlet<Void> joiner = Green.spawn(() -> pool.join());
        Green.sleep();
        joiner.kill();
        assertInstanceOf(GreenletExit.class, joiner.exception());
        pool.kill();
    }

    /** test_terminate: kill ends sleeping greenlets at once, and a map over them reports the kill. */
    @Test
    void killEndsEveryGreenletAtOnce() {
        Pool pool = new Pool(3);
        Greenlet<List<Object>> mapper = Green.spawn(() -> pool.map(i -> {
            Green.sleep(Duration.ofSeconds(30));
            return i;
        }, List.of(1, 2, 3, 4, 5, 6)));
        // By cause: the pool fills once the mapper and its feeder have run, however late that is.
        Eventually.await("the pool to fill", () -> pool.count() == 3);
        long start = System.nanoTime();
        pool.kill();
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
        assertEquals(0, pool.count());
        mapper.join(Duration.ofSeconds(5));
        assertTrue(mapper.ready());
        assertInstanceOf(CancellationException.class, mapper.exception(), "map learned its greenlets were killed");
        extension.takeErrors();  // the mapper's failure reached the loop's handler, as meant
        assertEquals(0, pool.count(), "greenlets the feeder spawned meanwhile were killed too");
    }

    // ---- map and imapUnordered, for several pool sizes (test__pool.py's TestPool, TestPool2, 3, 10)

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 10})
    void mapReturnsResultsInInputOrder(int size) {
        Pool pool = new Pool(size);
        assertEquals(squares(10), pool.map(PoolTest::squareAfterRandomSleep, range(10)));
        assertEquals(squares(100), pool.map(x -> x * x, range(100)));
        pool.join();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 10})
    void mapNeverRunsMoreThanTheSizeAtOnce(int size) {
        Pool pool = new Pool(size);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        pool.map(x -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            Green.sleep(Duration.ofMillis(1));
            running.decrementAndGet();
            return x;
        }, range(30));
        assertEquals(size, most.get());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 10})
    void imapUnorderedYieldsEveryResult(int size) {
        Pool pool = new Pool(size);
        List<Integer> results = new ArrayList<>();
        pool.<Integer, Integer>imapUnordered(x -> x * x, range(200)).forEach(results::add);
        results.sort(null);
        assertEquals(squares(200), results);
        List<Integer> random = new ArrayList<>();
        pool.<Integer, Integer>imapUnordered(PoolTest::squareAfterRandomSleep, range(10)).forEach(random::add);
        random.sort(null);
        assertEquals(squares(10), random);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void imapUnorderedYieldsInCompletionOrder(int size) {
        Pool pool = new Pool(size);
        List<String> results = new ArrayList<>();
        pool.<Integer, String>imapUnordered(x -> {
            Green.sleep(Duration.ofMillis(x * 15L));
            return String.valueOf(x);
        }, List.of(10, 1, 2)).forEach(results::add);
        assertEquals(size == 1 ? List.of("10", "1", "2") : List.of("1", "2", "10"), results);
    }

    @Test
    void emptyInputGivesEmptyResults() {
        Pool pool = new Pool(2);
        assertEquals(List.of(), pool.map(x -> x, List.of()));
        assertFalse(pool.imapUnordered(x -> x, List.of()).iterator().hasNext());
    }

    @Test
    void mapRethrowsTheFirstFailureAfterKillingTheOthers() {
        Pool pool = new Pool(3);
        AtomicInteger finallyRan = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        long start = System.nanoTime();
        ArithmeticException error = assertThrows(ArithmeticException.class, () -> pool.map(x -> {
            try {
                if (x == 0) {
                    return 1 / x;
                }
                Green.sleep(Duration.ofSeconds(30));
                finished.incrementAndGet();
                return x;
            } finally {
                finallyRan.incrementAndGet();
            }
        }, List.of(1, 0, 2, 3, 4)));
        assertTrue(error.getMessage().contains("by zero"), error.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "did not wait for the sleepers");
        assertEquals(0, finished.get());
        assertEquals(3, finallyRan.get(), "the failing one and the two others that had started are done");
        assertTrue(pool.join(Duration.ofSeconds(5)));
        assertEquals(3, pool.freeCount());
    }

    @Test
    void mapRethrowsTheFirstFailureInCompletionOrder() {
        Pool pool = new Pool(3);
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> pool.map(x -> {
            Green.sleep(Duration.ofMillis(x));
            throw new IllegalStateException("failed after " + x);
        }, List.of(40, 5, 20)));
        assertEquals("failed after 5", error.getMessage());
    }

    @Test
    void mapWrapsACheckedFailureInACompletionException() {
        Pool pool = new Pool(2);
        CompletionException error = assertThrows(CompletionException.class,
                () -> pool.map(x -> sneakyThrow(new IOException("disk on fire")), List.of(1)));
        assertInstanceOf(IOException.class, error.getCause());
    }

    @Test
    void aKilledMapCallerKillsItsGreenlets() {
        Pool pool = new Pool(2);
        AtomicInteger finallyRan = new AtomicInteger();
        Greenlet<List<Integer>> mapper = Green.spawn(() -> pool.map(x -> {
            try {
                Green.sleep(Duration.ofSeconds(30));
                return x;
            } finally {
                finallyRan.incrementAndGet();
            }
        }, range(5)));
        Eventually.await("the pool to fill", () -> pool.count() == 2);
        mapper.kill();
        assertInstanceOf(GreenletExit.class, mapper.exception());
        assertEquals(2, finallyRan.get());
        assertTrue(pool.join(Duration.ofSeconds(5)));
        Green.sleep(Duration.ofMillis(10));
        assertEquals(0, pool.count(), "the feeder spawned no more after the kill");
    }

    @Test
    void mapHonoursAnEnclosingTimeout() {
        Pool pool = new Pool(2);
        Timeout.Expired expired = assertThrows(Timeout.Expired.class, () -> Green.withTimeout(Duration.ofMillis(20),
                () -> pool.map(x -> {
                    Green.sleep(Duration.ofSeconds(30));
                    return x;
                }, range(4))));
        assertTrue(expired.getMessage().contains("timed out"), expired.getMessage());
        assertTrue(pool.join(Duration.ofSeconds(5)), "its greenlets were killed");
    }

    /** TestErrorInHandler.test_imap_unordered: a failure comes out of its next(), and iteration goes on. */
    @Test
    void imapUnorderedThrowsEachFailureInTurnAndGoesOn() {
        Pool pool = new Pool(1);
        Iterator<Integer> results = pool.<Integer, Integer>imapUnordered(x -> 10 / x, List.of(1, 0, 2)).iterator();
        assertEquals(10, results.next());
        assertThrows(ArithmeticException.class, results::next);
        assertTrue(results.hasNext());
        assertEquals(5, results.next());
        assertFalse(results.hasNext());
        assertThrows(NoSuchElementException.class, results::next);
    }

    @Test
    void imapUnorderedCanBeIteratedOnce() {
        Pool pool = new Pool(1);
        Iterable<Integer> results = pool.imapUnordered(x -> x, List.of(1));
        Iterator<Integer> first = results.iterator();
        IllegalStateException error = assertThrows(IllegalStateException.class, results::iterator);
        assertTrue(error.getMessage().contains("once"), error.getMessage());
        assertEquals(1, first.next());
    }

    @Test
    void anotherThreadIsToldWhichLoopOwnsIt() throws Exception {
        Pool pool = new Pool(1);
        assertSame(extension.loop(), Green.loop());
        pool.join();
        Throwable[] failure = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                pool.spawn(() -> "x");
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        other.start();
        other.join();
        assertInstanceOf(IllegalStateException.class, failure[0]);
        assertTrue(failure[0].getMessage().contains(extension.loop().toString()), failure[0].getMessage());
    }

    // ---- helpers

    private static int squareAfterRandomSleep(int x) {
        Green.sleep(Duration.ofMillis((long) (Math.random() * 20)));
        return x * x;
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static List<Integer> squares(int n) {
        return IntStream.range(0, n).map(x -> x * x).boxed().toList();
    }

    private static <T> T join(Greenlet<T> greenlet) {
        assertTrue(greenlet.join(Duration.ofSeconds(5)));
        return greenlet.value();
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> Integer sneakyThrow(Throwable error) throws E {
        throw (E) error;
    }

    // Ported from gevent's test__pool.py: imap and imap_unordered, lazy inputs, maxsize (gevent issue #638),
    // apply, add/discard, full and wait_available.

    @Test
    void imapYieldsInInputOrderWhileRunningAtMostSizeAtOnce() {
        Pool pool = new Pool(3);
        int[] running = {0};
        int[] most = {0};
        List<Integer> results = new ArrayList<>();
        for (int result : pool.imap(x -> {
            most[0] = Math.max(most[0], ++running[0]);
            Green.sleep(Duration.ofMillis(10 - x));  // later inputs finish first
            running[0]--;
            return x * x;
        }, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9))) {
            results.add(result);
        }
        assertEquals(List.of(0, 1, 4, 9, 16, 25, 36, 49, 64, 81), results);
        assertEquals(3, most[0]);
    }

    @Test
    void imapPullsInputsOnlyAsSlotsFreeSoAnEndlessIterableWorks() {
        Pool pool = new Pool(2);
        AtomicInteger pulled = new AtomicInteger();
        Iterable<Integer> naturals = () -> IntStream.iterate(0, i -> i + 1).peek(i -> pulled.incrementAndGet()).iterator();
        Iterator<Integer> results = pool.imap(x -> x + 100, naturals).iterator();
        assertEquals(100, results.next());
        assertEquals(101, results.next());
        assertTrue(pulled.get() <= 5, "pulled " + pulled.get() + " inputs for 2 results in a pool of 2");
        pool.kill();
    }

    // gevent's test_imap_no_stop / test_imap_final_sleep: an input iterator that parks between items.
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anInputIteratorThatParksIsWaitedFor(boolean ordered) {
        Pool pool = new Pool(2);
        Iterable<Integer> slowInputs = () -> new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                Green.sleep(Duration.ofMillis(5));
                return next < 3;
            }

            @Override
            public Integer next() {
                return next++;
            }
        };
        List<Integer> results = new ArrayList<>();
        (ordered ? pool.imap((Integer x) -> x * x, slowInputs) : pool.imapUnordered((Integer x) -> x * x, slowInputs, 10))
                .forEach(results::add);
        results.sort(null);
        assertEquals(List.of(0, 1, 4), results);
    }

    // gevent's test_imap_unordered_bounded_queue (issue #638): with maxsize, a slow reader holds back the
    // workers, so no more than maxsize results pile up, in either order.
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void maxsizeHoldsBackTheProducerForASlowConsumer(boolean ordered) {
        Pool pool = new Pool(10);
        int[] started = {0};
        List<Integer> inputs = IntStream.range(0, 30).boxed().toList();
        java.util.function.Function<Integer, Integer> quick = i -> {
            started[0]++;
            return i;
        };
        Iterable<Integer> mapping = ordered ? pool.imap(quick, inputs, 1) : pool.imapUnordered(quick, inputs, 1);
        List<Integer> results = new ArrayList<>();
        int index = 0;
        for (int result : mapping) {
            assertTrue(started[0] <= index + 2, "started " + started[0] + " workers while the reader was at result " + index);
            results.add(result);
            index++;
            Green.sleep(Duration.ofMillis(1));
        }
        results.sort(null);
        assertEquals(inputs, results);
    }

    @Test
    void maxsizeBelowOneIsRefused() {
        Pool pool = new Pool(1);
        assertThrows(IllegalArgumentException.class, () -> pool.imap(x -> x, List.of(1), 0));
        assertThrows(IllegalArgumentException.class, () -> pool.imapUnordered(x -> x, List.of(1), -1));
    }

    @Test
    void imapThrowsAFailureWhenItReachesIt() {
        Pool pool = new Pool(2);
        Iterator<Integer> results = pool.imap((Integer x) -> {
            if (x == 1) {
                throw new IllegalArgumentException("bad " + x);
            }
            return x;
        }, List.of(0, 1, 2)).iterator();
        assertEquals(0, results.next());
        assertEquals("bad 1", assertThrows(IllegalArgumentException.class, results::next).getMessage());
        assertEquals(2, results.next());
        assertFalse(results.hasNext());
    }

    @Test
    void applyRunsInThePoolAndRethrowsTheBodysOwnException() throws Exception {
        Pool pool = new Pool(1);
        assertEquals("applied", pool.apply(() -> "applied"));
        IOException failure = assertThrows(IOException.class, () -> pool.apply(() -> {
            throw new IOException("checked");
        }));
        assertEquals("checked", failure.getMessage());
        // From a greenlet of the pool, with the pool full, it runs inline instead of deadlocking.
        assertEquals("inner", pool.spawn(() -> pool.apply(() -> "inner")).get());
    }

    @Test
    void addAdoptsAGreenletDiscardFreesItsSlot() {
        Pool pool = new Pool(1);
        Greenlet<Void> outsider = Green.spawn(() -> Green.sleep(Duration.ofSeconds(10)));
        pool.add(outsider);
        assertTrue(pool.full());
        assertEquals(0, pool.freeCount());
        assertEquals(List.of(outsider), pool.greenlets());
        pool.add(outsider);  // already in: nothing happens
        assertEquals(1, pool.count());
        pool.discard(outsider);
        assertFalse(pool.full());
        assertEquals(1, pool.waitAvailable(Duration.ZERO));
        outsider.kill();
    }

    @Test
    void waitAvailableParksUntilASlotFrees() {
        Pool pool = new Pool(1);
        pool.spawn(() -> Green.sleep(Duration.ofMillis(20)));
        assertEquals(0, pool.waitAvailable(Duration.ofMillis(1)));
        assertEquals(1, pool.waitAvailable(null));
        Group group = new Group();
        assertFalse(group.full());
        assertEquals(Integer.MAX_VALUE, group.waitAvailable(Duration.ZERO));
    }
}
