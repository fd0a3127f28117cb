package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gevent's test__iwait.py re-expressed, plus ordering, timeout, kill and mixed-Waitable cases of {@link Green#iwait}. */
class GreenIwaitTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    /** test_noiter: the first object yielded is the one that became ready. */
    @Test
    void yieldsTheObjectThatBecameReady() {
        Semaphore first = new Semaphore(0);
        Semaphore second = new Semaphore(0);
        Green.spawn(() -> first.release());
        assertSame(first, Green.iwait(List.of(first, second), null).iterator().next());
    }

    /** test_iwait_partial: an iteration may stop early. */
    @Test
    void iterationMayStopEarly() {
        Semaphore semaphore = new Semaphore(0);
        Greenlet<Void> releaser = Green.spawn(() -> semaphore.release());
        Iterator<Semaphore> ready = Green.iwait(List.of(semaphore), Duration.ofMillis(500)).iterator();
        assertSame(semaphore, ready.next());
        releaser.join();
        assertTrue(releaser.successful());
    }

    @Test
    void yieldsThoseReadyAlreadyFirstThenInTheOrderTheyBecomeReady() {
        Event late = new Event();
        Event early = new Event();
        Event already = new Event();
        already.set();
        Green.spawnLater(Duration.ofMillis(30), () -> {
            late.set();
            return null;
        });
        Green.spawnLater(Duration.ofMillis(5), () -> {
            early.set();
            return null;
        });
        List<Event> order = new ArrayList<>();
        for (Event event : Green.iwait(List.of(late, early, already), null)) {
            order.add(event);
        }
        assertEquals(List.of(already, early, late), order);
    }

    @Test
    void mixesGreenletsEventsAndAsyncResults() {
        Event event = new Event();
        AsyncResult<String> result = new AsyncResult<>();
        // Ordered by cause, not by racing sleeps: the greenlet can only finish after the result is set.
        Greenlet<String> greenlet = Green.spawn(() -> result.get() + " done");
        Green.spawn(() -> {
            event.set();
            Green.sleep(Duration.ofMillis(5));
            result.set("set");
        });
        List<Waitable> order = new ArrayList<>();
        Green.iwait(List.<Waitable>of(greenlet, result, event), Duration.ofSeconds(5)).forEach(order::add);
        assertEquals(List.of(event, result, greenlet), order);
    }

    @Test
    void stopsWhenTheTimeoutPasses() {
        Event never = new Event();
        Event soon = new Event();
        // Set by a greenlet that can only run once the iteration below has parked: during the wait, and
        // before the 60 ms timeout without racing a 5 ms timer against it (a loaded loop ran both at once).
        Greenlet<Void> setter = Green.spawn(soon::set);
        long start = System.nanoTime();
        List<Event> yielded = new ArrayList<>();
        Iterator<Event> iterator = Green.iwait(List.of(never, soon), Duration.ofMillis(60)).iterator();
        iterator.forEachRemaining(yielded::add);
        long elapsed = System.nanoTime() - start;
        assertEquals(List.of(soon), yielded);
        assertTrue(elapsed >= Duration.ofMillis(50).toNanos(), "waited " + elapsed / 1_000_000 + " ms");
        assertFalse(iterator.hasNext());
        assertThrows(NoSuchElementException.class, iterator::next);
        setter.join();
        never.set();                                        // its link was cancelled: nothing runs for it
        Green.sleep();
    }

    @Test
    void aZeroTimeoutYieldsOnlyThoseReadyAlready() {
        Event ready = new Event();
        ready.set();
        Event notReady = new Event();
        List<Event> yielded = new ArrayList<>();
        Green.iwait(List.of(notReady, ready), Duration.ZERO).forEach(yielded::add);
        assertEquals(List.of(ready), yielded);
    }

    @Test
    void emptyInputYieldsNothing() {
        assertFalse(Green.iwait(List.<Event>of(), null).iterator().hasNext());
    }

    @Test
    void eachIterationIsANewWait() {
        Event event = new Event();
        event.set();
        Iterable<Event> waits = Green.iwait(List.of(event), Duration.ofSeconds(1));
        assertEquals(List.of(event), collect(waits));
        assertEquals(List.of(event), collect(waits));
    }

    @Test
    void aGreenletWaitingInIwaitCanBeKilled() {
        Event never = new Event();
        Greenlet<Void> waiter = Green.spawn(() -> {
            for (Event event : Green.iwait(List.of(never), null)) {
                throw new AssertionError("never set, yet yielded " + event);
            }
        });
        Green.sleep();
        waiter.kill();
        assertTrue(waiter.exception() instanceof GreenletExit);
    }

    @Test
    void nullObjectsAreRefused() {
        List<Event> withNull = new ArrayList<>();
        withNull.add(null);
        NullPointerException error = assertThrows(NullPointerException.class, () -> Green.iwait(withNull, null));
        assertTrue(error.getMessage().contains("null"), error.getMessage());
    }

    private static <T> List<T> collect(Iterable<T> iterable) {
        List<T> items = new ArrayList<>();
        iterable.forEach(items::add);
        return items;
    }
}
