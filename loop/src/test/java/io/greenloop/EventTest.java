package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void setWakesEveryWaiterInTheOrderTheyCame() {
        Event event = new Event();
        List<Integer> woke = new ArrayList<>();
        List<Greenlet<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            waiters.add(Green.spawn(() -> {
                event.await();
                woke.add(n);
            }));
        }
        Green.sleep();
        assertEquals(List.of(), woke);
        event.set();
        Green.joinAll(waiters);
        assertEquals(List.of(0, 1, 2, 3, 4), woke);
    }

    @Test
    void awaitOnASetEventReturnsAtOnceAndClearLowersIt() {
        Event event = new Event();
        event.set();
        assertTrue(event.isSet());
        event.await();
        assertTrue(event.await(Duration.ZERO));
        event.clear();
        assertFalse(event.isSet());
        assertFalse(event.await(Duration.ofMillis(10)));
    }

    @Test
    void awaitWithATimeoutInAGreenlet() throws Exception {
        Event event = new Event();
        Greenlet<Boolean> waiter = Green.spawn(() -> event.await(Duration.ofMillis(10)));
        assertFalse(waiter.get());
        Greenlet<Boolean> lucky = Green.spawn(() -> event.await(Duration.ofSeconds(5)));
        Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(10));
            event.set();
        });
        assertTrue(lucky.get());
    }

    @Test
    void aWaiterThatTimedOutIsNotWokenLater() {
        Event event = new Event();
        List<String> events = new ArrayList<>();
        Greenlet<Void> waiter = Green.spawn(() -> {
            events.add("first wait " + event.await(Duration.ofMillis(5)));
            Green.sleep(Duration.ofMillis(30));
            events.add("after sleep");
        });
        Green.sleep(Duration.ofMillis(15));
        event.set();
        waiter.join();
        assertEquals(List.of("first wait false", "after sleep"), events);
    }

    // Ported from gevent's test__event.py (TestEvent_SetThenClear with N = 1, 100, 1000): set() then
    // clear() at once still wakes every greenlet that was waiting at set().
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 100, 1000})
    void setThenClearWakesEveryWaiter(int waiters) {
        Event event = new Event();
        List<Greenlet<?>> greenlets = new ArrayList<>();
        int[] parked = {0};
        for (int i = 0; i < waiters; i++) {
            greenlets.add(Green.spawn(() -> {
                parked[0]++;  // and parks in await() before any other greenlet runs
                event.await();
            }));
        }
        while (parked[0] < waiters) {
            Green.sleep();
        }
        event.set();
        event.clear();
        assertEquals(waiters, Green.joinAll(greenlets, Duration.ofSeconds(10)).size());
    }

    @Test
    void setThenClearWakesCallbackLinksAndTheWaitersBehindThem() {
        Event event = new Event();
        Greenlet<Void> first = Green.spawn(() -> event.await());
        Green.sleep();
        List<String> called = new ArrayList<>();
        event.onReady(() -> called.add("callback"));
        Greenlet<Void> last = Green.spawn(() -> event.await());
        Green.sleep();
        event.set();
        event.clear();
        assertEquals(2, Green.joinAll(List.of(first, last), Duration.ofSeconds(5)).size());
        assertEquals(List.of("callback"), called);
    }

    // gevent issue #771 (test_set_during_wait): once cleared, a new wait does not see the old set().
    @Test
    void aWaitAfterClearDoesNotReturnOnTheEarlierSet() throws Exception {
        Event event = new Event();
        Greenlet<Boolean> waiter = Green.spawn(() -> {
            Greenlet<Void> setter = Green.spawn(event::set);
            event.await();
            assertTrue(event.isSet());
            setter.join();
            event.clear();
            return Green.waitAll(List.of(event), Duration.ofMillis(10)).isEmpty() && !event.isSet();
        });
        assertTrue(waiter.get());
    }

    @Test
    void setFromAnotherThreadWakesAGreenletOnTheLoop() throws Exception {
        Event event = new Event();
        Greenlet<Boolean> waiter = Green.spawn(() -> event.await(Duration.ofSeconds(5)));
        Green.sleep();
        Thread setter = Thread.ofPlatform().start(event::set);
        assertTrue(waiter.get());
        setter.join();
        assertTrue(event.isSet());
    }

    @Test
    void setThenClearFromAnotherThreadStillWakesTheWaiters() throws Exception {
        Event event = new Event();
        List<Greenlet<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiters.add(Green.spawn(() -> event.await(Duration.ofSeconds(5))));
        }
        List<Greenlet<Boolean>> viaWaitAll = List.of(Green.spawn(() -> Green.waitAll(List.of(event), Duration.ofSeconds(5)).size() == 1));
        Green.sleep();
        Thread other = Thread.ofPlatform().start(() -> {
            event.set();
            event.clear();
        });
        Green.joinAll(waiters);
        other.join();
        for (Greenlet<?> waiter : waiters) {
            assertEquals(Boolean.TRUE, waiter.get());
        }
        assertTrue(viaWaitAll.getFirst().get());
        assertFalse(event.isSet());
    }

    // Ported from gevent's test__event.py TestWait with count: waitAll returns once `count` are ready.
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 10})
    void waitAllWithACountReturnsOnceThatManyAreReady(int count) {
        List<Event> events = new ArrayList<>();
        List<AsyncResult<String>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(new Event());
            results.add(new AsyncResult<>());
        }
        Greenlet<Void> sender = Green.spawn(() -> {
            for (int i = 0; i < 5; i++) {
                Green.sleep(Duration.ofMillis(5));
                events.get(i).set();
                Green.sleep(Duration.ofMillis(5));
                results.get(i).set("x");
            }
        });
        List<Waitable> all = new ArrayList<>(events);
        all.addAll(results);
        List<Waitable> ready = Green.waitAll(all, null, count);
        assertEquals(count, ready.size());
        assertEquals(count >= 10, sender.ready());
        sender.kill();
    }

    @Test
    void aWaitableWithOnlyReadyWorksWithWaitAll() {
        boolean[] flag = {false};
        Waitable userDefined = () -> flag[0];
        Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(10));
            flag[0] = true;
        });
        assertEquals(List.of(userDefined), Green.waitAll(List.of(userDefined), Duration.ofSeconds(5)));
    }
}
