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
}
