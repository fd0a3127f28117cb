package io.greenloop.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerHeapTest {

    @Test
    void pollsInDeadlineOrderAndEqualDeadlinesInArmingOrder() {
        TimerHeap heap = new TimerHeap();
        List<String> fired = new ArrayList<>();
        heap.add(30, () -> fired.add("30"));
        heap.add(10, () -> fired.add("10a"));
        heap.add(20, () -> fired.add("20"));
        heap.add(10, () -> fired.add("10b"));
        assertNull(heap.pollDue(9));
        for (TimerHeap.Timer t; (t = heap.pollDue(25)) != null; ) {
            t.task().run();
        }
        assertEquals(List.of("10a", "10b", "20"), fired);
        assertEquals(1, heap.size());
        assertEquals(30, heap.peek().deadline());
    }

    @Test
    void cancelRemovesFromAnywhereInTheHeap() {
        TimerHeap heap = new TimerHeap();
        Random random = new Random(42);
        List<TimerHeap.Timer> timers = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            timers.add(heap.add(random.nextInt(10_000), () -> { }));
        }
        for (int i = 0; i < timers.size(); i += 3) {
            assertTrue(timers.get(i).cancel());
            assertFalse(timers.get(i).isArmed());
        }
        long last = Long.MIN_VALUE;
        int polled = 0;
        for (TimerHeap.Timer t; (t = heap.pollDue(Long.MAX_VALUE)) != null; polled++) {
            assertTrue(t.deadline() >= last, "out of order");
            last = t.deadline();
            assertFalse(t.cancel(), "a fired timer is no longer armed");
        }
        assertEquals(1_000 - 334, polled);
        assertEquals(0, heap.size());
    }

    @Test
    void deadlinesCompareAcrossTheNanoTimeWrap() {
        TimerHeap heap = new TimerHeap();
        heap.add(Long.MAX_VALUE - 5, () -> { });
        heap.add(Long.MAX_VALUE + 5, () -> { }); // wraps to a negative number, still later
        assertEquals(Long.MAX_VALUE - 5, heap.pollDue(Long.MAX_VALUE).deadline());
        assertNull(heap.pollDue(Long.MAX_VALUE));
    }
}
