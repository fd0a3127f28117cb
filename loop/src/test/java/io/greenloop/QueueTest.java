package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gevent's test__queue.py (Queue, Channel, and the get/put interrupt cases) re-expressed, plus FIFO
 * fairness for takers and putters and the kill-while-parked cases.
 */
class QueueTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    // ---- bad input

    @Test
    void nullItemsAreRefusedWithAClearMessage() {
        Queue<String> queue = new Queue<>();
        NullPointerException error = assertThrows(NullPointerException.class, () -> queue.put(null));
        assertTrue(error.getMessage().contains("cannot hold null"), error.getMessage());
        assertThrows(NullPointerException.class, () -> queue.offer(null));
        assertThrows(NullPointerException.class, () -> queue.offer(null, Duration.ofSeconds(1)));
        assertTrue(queue.isEmpty());
    }

    @Test
    void negativeCapacityIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new Queue<String>(-1));
        assertTrue(error.getMessage().contains("-1"), error.getMessage());
    }

    // ---- test__queue.py: one item at a time (Queue and Channel)

    @Test
    void offerOnAFullQueueFails() {
        Queue<Integer> queue = new Queue<>(1);
        assertTrue(queue.offer(2));
        assertFalse(queue.offer(3));
        assertEquals(List.of(2), drain(queue));
    }

    @Test
    void offerOnARendezvousQueueFailsWithoutATaker() {
        Queue<Integer> channel = new Queue<>(0);
        assertFalse(channel.offer(2));
        assertTrue(channel.isEmpty());
        assertEquals(0, channel.capacity());
    }

    /** test_put_nowait_unlock: a non-waiting put from a loop callback hands the item to a parked taker. */
    @Test
    void offerFromALoopCallbackWakesATaker() {
        for (Queue<Integer> queue : List.of(new Queue<Integer>(), new Queue<Integer>(0))) {
            Greenlet<Integer> taker = Green.spawn(queue::take);
            Green.sleep(Duration.ofMillis(1));
            assertTrue(queue.isEmpty());
            List<Boolean> results = new ArrayList<>();
            extension.loop().execute(() -> results.add(queue.offer(10)));
            assertFalse(taker.ready());
            // Joined, not given 1 ms: a loaded loop can fire the 1 ms timer in the same iteration as the hand-off,
            // and resume this test before the woken taker.
            assertEquals(10, join(taker));
            assertEquals(List.of(true), results);
            assertTrue(queue.isEmpty());
        }
    }

    @Test
    void sendLast() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> waiter = Green.spawn(() -> Green.withTimeout(Duration.ofSeconds(2), queue::take));
        Green.sleep(Duration.ofMillis(10));
        queue.put("hi2");
        assertEquals("hi2", join(waiter));
    }

    // ---- test__queue.py: TestQueue

    @Test
    void pollNeverWaits() {
        Queue<Integer> queue = new Queue<>(1);
        queue.put(4);
        List<Integer> results = new ArrayList<>();
        extension.loop().execute(() -> results.add(queue.poll()));
        extension.loop().execute(() -> results.add(queue.poll()));
        Green.sleep();
        assertEquals(java.util.Arrays.asList(4, null), results);
    }

    @Test
    void pollFromALoopCallbackUnblocksNothingButTakesTheItem() {
        Queue<Integer> queue = new Queue<>(1);
        Greenlet<Void> putter = Green.spawn(() -> queue.put(5));
        assertTrue(queue.isEmpty());
        Green.sleep();
        assertEquals(1, queue.size());
        List<Integer> results = new ArrayList<>();
        extension.loop().execute(() -> results.add(queue.poll()));
        Green.sleep();
        assertTrue(queue.isEmpty());
        assertEquals(List.of(5), results);
        assertTrue(putter.ready());
    }

    @Test
    void sendFirstThenPeekAndTake() {
        Queue<String> queue = new Queue<>();
        queue.put("hi");
        assertEquals("hi", queue.peek());
        assertEquals(1, queue.size());
        assertEquals("hi", queue.take());
        assertNull(queue.peek());
    }

    @Test
    void takeOnTheOwnerThreadWithNothingPendingIsALoopExit() {
        Queue<String> queue = new Queue<>();
        assertNull(queue.peek());
        LoopExit exit = assertThrows(LoopExit.class, queue::take);
        assertTrue(exit.getMessage().contains("Queue.take()"), exit.getMessage());
        Greenlet<String> waiter = Green.spawn(() -> queue.poll(Duration.ofMillis(10)));
        waiter.join();
        assertTrue(waiter.successful());
        assertNull(waiter.value());
    }

    @Test
    void boundedQueueParksThePutterWhileFull() {
        Queue<String> queue = new Queue<>(2);
        List<String> results = new ArrayList<>();
        Greenlet<String> putter = Green.spawn(() -> {
            for (String item : List.of("a", "b", "c")) {
                queue.put(item);
                results.add(item);
            }
            return "OK";
        });
        Green.sleep();
        assertEquals(List.of("a", "b"), results);
        assertEquals("a", queue.take());
        Green.sleep();
        assertEquals(List.of("a", "b", "c"), results);
        assertEquals("b", queue.take());
        assertEquals("c", queue.take());
        assertEquals("OK", putter.value());
    }

    @Test
    void multipleWaitersGetTheirItemsInArrivalOrder() {
        Queue<String> queue = new Queue<>();
        List<Greenlet<String>> takers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            takers.add(Green.spawn(queue::take));
        }
        Green.sleep(Duration.ofMillis(10));
        for (int i = 0; i < 4; i++) {
            queue.put(String.valueOf(i));
            assertEquals(String.valueOf(i), join(takers.get(i)), "taker " + i);  // joined by cause, not given 1 ms
        }
    }

    @Test
    void waiterThatTimesOutLeavesTheQueueUsable() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> dying = Green.spawn(() -> receiveOrTimedOut(queue, Duration.ZERO));
        assertEquals("timed out", join(dying));
        queue.put("hi");
        assertEquals("hi", queue.take());
    }

    @Test
    void sendersThatDie() {
        Queue<String> queue = new Queue<>();
        Green.spawn(() -> queue.put("sent"));
        assertEquals("sent", queue.take());
    }

    @Test
    void twoWaitersOneDies() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> dying = Green.spawn(() -> receiveOrTimedOut(queue, Duration.ZERO));
        Greenlet<String> waiting = Green.spawn(queue::take);
        Green.sleep(Duration.ofMillis(20));
        queue.put("hi");
        assertEquals("timed out", join(dying));
        assertEquals("hi", join(waiting));
    }

    @Test
    void twoBogusWaiters() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> first = Green.spawn(() -> receiveOrTimedOut(queue, Duration.ZERO));
        Greenlet<String> second = Green.spawn(() -> receiveOrTimedOut(queue, Duration.ZERO));
        Green.sleep(Duration.ofMillis(20));
        queue.put("sent");
        assertEquals("timed out", join(first));
        assertEquals("timed out", join(second));
        assertEquals("sent", queue.take());
    }

    // ---- test__queue.py: TestChannel (capacity 0)

    @Test
    void rendezvousPutWaitsForATaker() {
        Queue<String> channel = new Queue<>(0);
        AsyncResult<String> sent = new AsyncResult<>();
        Greenlet<Void> sender = Green.spawn(() -> {
            channel.put("hi");
            sent.set("done");
        });
        Green.sleep(Duration.ofMillis(1));
        assertFalse(sent.ready(), "nobody took it yet");
        Greenlet<String> receiver = Green.spawn(channel::take);
        assertEquals("hi", join(receiver));
        sender.join();
        assertEquals("done", sent.value());
        assertTrue(channel.isEmpty());
    }

    /**
     * test_send. Unlike gevent, a put to a parked taker returns at once (the item is handed over, as in
     * {@code SynchronousQueue}), before the taker has run; so "sent world" comes before "world".
     */
    @Test
    void rendezvousSend() {
        Queue<String> channel = new Queue<>(0);
        List<String> events = new ArrayList<>();
        Greenlet<Void> other = Green.spawn(() -> {
            events.add(channel.take());
            events.add(channel.take());
        });
        events.add("sending");
        channel.put("hello");
        events.add("sent hello");
        channel.put("world");
        events.add("sent world");
        other.join();
        assertEquals(List.of("sending", "hello", "sent hello", "sent world", "world"), events);
    }

    /** test_wait: a putter parks on the rendezvous until the taker comes back for the next item. */
    @Test
    void rendezvousWait() {
        Queue<String> channel = new Queue<>(0);
        List<String> events = new ArrayList<>();
        Greenlet<Void> other = Green.spawn(() -> {
            events.add("sending hello");
            channel.put("hello");
            events.add("sending world");
            channel.put("world");
            events.add("sent world");
        });
        events.add("waiting");
        events.add(channel.take());
        events.add(channel.take());
        assertEquals(List.of("waiting", "sending hello", "sending world", "hello", "world"), events);
        Green.sleep();
        assertEquals(List.of("waiting", "sending hello", "sending world", "hello", "world", "sent world"), events);
        other.join();
    }

    // ---- test__queue.py: TestGetInterrupt / TestPutInterrupt, for each kind of queue

    @Test
    void pollReturnsNullAfterItsTimeout() {
        for (Queue<String> queue : List.of(new Queue<String>(), new Queue<String>(1), new Queue<String>(0))) {
            long start = System.nanoTime();
            assertNull(queue.poll(Duration.ofMillis(20)));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(15).toNanos());
        }
    }

    @Test
    void offerReturnsFalseAfterItsTimeout() {
        for (Queue<String> queue : List.of(new Queue<String>(1), new Queue<String>(0))) {
            while (queue.offer("fill")) {
                // fill it up (a rendezvous queue is full already)
            }
            long start = System.nanoTime();
            assertFalse(queue.offer("late", Duration.ofMillis(20)));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(15).toNanos());
            assertFalse(drain(queue).contains("late"));
        }
    }

    @Test
    void takeRaisesTheEnclosingTimeoutItself() {
        for (Queue<String> queue : List.of(new Queue<String>(), new Queue<String>(0))) {
            TimeoutTest.assertRaisesItsEnclosingTimeout(queue::take);
        }
    }

    @Test
    void putRaisesTheEnclosingTimeoutItself() {
        Queue<String> queue = new Queue<>(1);
        queue.put("full");
        TimeoutTest.assertRaisesItsEnclosingTimeout(() -> queue.put("late"));
        assertEquals(List.of("full"), drain(queue));
    }

    @Test
    void outerTimeoutIsNotLostInsideALongerPoll() {
        Queue<String> queue = new Queue<>();
        TimeoutTest.assertRaisesItsEnclosingTimeout(() -> queue.poll(Duration.ofSeconds(5)));
    }

    // ---- fairness

    @Test
    void puttersAreServedInArrivalOrder() {
        Queue<String> queue = new Queue<>(1);
        queue.put("x");
        for (String item : List.of("a", "b", "c")) {
            Green.spawn(() -> queue.put(item));
        }
        Green.sleep();
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(queue.take());
        }
        assertEquals(List.of("x", "a", "b", "c"), taken);
    }

    @Test
    void anItemPutWhileATakerWaitsCannotBeTakenByABarger() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> taker = Green.spawn(queue::take);
        Green.sleep();
        queue.put("x");
        assertNull(queue.poll(), "x was handed to the parked taker");
        assertEquals("x", join(taker));
    }

    @Test
    void aSlotFreedWhileAPutterWaitsCannotBeTakenByABarger() {
        Queue<String> queue = new Queue<>(1);
        queue.put("a");
        Greenlet<Void> putter = Green.spawn(() -> queue.put("b"));
        Green.sleep();
        assertEquals("a", queue.take());
        assertFalse(queue.offer("c"), "the freed slot went to the parked putter");
        assertEquals("b", queue.take());
        putter.join();
        assertTrue(putter.successful());
    }

    // ---- kill and timeout while parked

    @Test
    void killedTakerLeavesNoTrace() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> taker = Green.spawn(queue::take);
        Green.sleep();
        taker.kill();
        assertInstanceOf(GreenletExit.class, taker.exception());
        queue.put("x");
        assertEquals(List.of("x"), drain(queue));
    }

    @Test
    void takerKilledAfterBeingHandedAnItemGivesItBack() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> taker = Green.spawn(queue::take);
        Green.sleep();
        queue.put("x");                                      // handed to the taker, which has not resumed
        taker.kill();                                        // killed before it could run
        assertInstanceOf(GreenletExit.class, taker.exception(), "the kill was raised at the blocking point");
        assertNull(taker.value());
        assertEquals(List.of("x"), drain(queue), "x is back in the queue, once");
    }

    @Test
    void takerKilledAfterBeingHandedAnItemPassesItToTheNextTaker() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> first = Green.spawn(queue::take);
        Greenlet<String> second = Green.spawn(queue::take);
        Green.sleep();
        queue.put("x");
        first.kill(new GreenletExit(), false, null);
        assertEquals("x", join(second));
        assertInstanceOf(GreenletExit.class, first.exception());
        assertTrue(queue.isEmpty());
    }

    @Test
    void anItemGivenBackGoesBeforeLaterOnes() {
        Queue<String> queue = new Queue<>();
        Greenlet<String> taker = Green.spawn(queue::take);
        Green.sleep();
        queue.put("x");
        queue.put("y");
        taker.kill();
        assertEquals(List.of("x", "y"), drain(queue));
    }

    @Test
    void rendezvousTakerKilledAfterTheHandOffKeepsTheItem() {
        Queue<String> channel = new Queue<>(0);
        Greenlet<String> taker = Green.spawn(channel::take);
        Green.sleep();
        channel.put("x");                                    // returns: handed over
        taker.kill();
        assertEquals(List.of("x"), drain(channel), "held over capacity rather than lost");
    }

    @Test
    void killedPutterDoesNotDeliverItsItem() {
        for (Queue<String> queue : List.of(new Queue<String>(1), new Queue<String>(0))) {
            boolean bounded = queue.capacity() > 0;
            if (bounded) {
                queue.put("a");
            }
            Greenlet<Void> putter = Green.spawn(() -> queue.put("b"));
            Green.sleep();
            putter.kill();
            assertInstanceOf(GreenletExit.class, putter.exception());
            assertEquals(bounded ? List.of("a") : List.of(), drain(queue));
        }
    }

    @Test
    void putterKilledAfterItsItemWasAcceptedReturnsAndDiesAtItsNextBlockingPoint() {
        Queue<String> queue = new Queue<>(1);
        queue.put("a");
        List<String> steps = new ArrayList<>();
        Greenlet<Void> putter = Green.spawn(() -> {
            queue.put("b");
            steps.add("put returned");
            Green.sleep();
            steps.add("slept");
        });
        Green.sleep();
        assertEquals("a", queue.take());                     // b moves into the freed slot; the putter is woken
        putter.kill();
        assertEquals(List.of("put returned"), steps);
        assertInstanceOf(GreenletExit.class, putter.exception());
        assertEquals(List.of("b"), drain(queue), "b delivered once");
    }

    /** A taker whose own timeout fired but which has not resumed yet must not be handed the item. */
    @Test
    void putSkipsATakerThatTimedOutButHasNotResumed() throws Exception {
        Queue<String> queue = new Queue<>();
        Greenlet<String> taker = Green.spawn(() -> queue.poll(Duration.ofMillis(10)));
        Green.sleep();
        Thread.sleep(40);                                    // the owner blocks: both timers are due in one pass
        extension.loop().schedule(Duration.ZERO, () -> queue.offer("x")); // runs after the taker's expiry, before it resumes
        taker.join();
        assertTrue(taker.successful());
        assertNull(taker.value());
        assertEquals(List.of("x"), drain(queue), "x was not lost to the timed-out taker");
    }

    /** The enclosing Timeout fires after the hand-off but before the taker resumes: it gives the item back. */
    @Test
    void takerHandedAnItemThenTimedOutGivesItBack() throws Exception {
        Queue<String> queue = new Queue<>();
        extension.loop().schedule(Duration.ofMillis(50), () -> queue.offer("x"));
        Greenlet<String> taker = Green.spawn(() -> receiveOrTimedOut(queue, Duration.ofMillis(150)));
        Green.sleep();
        Thread.sleep(250);                                   // the owner blocks: the offer, then the Timeout, in one pass
        assertEquals("timed out", join(taker));
        assertEquals(List.of("x"), drain(queue));
    }

    /** The enclosing Timeout fires before the put: the put skips the doomed taker. */
    @Test
    void putSkipsATakerWhoseEnclosingTimeoutFired() throws Exception {
        Queue<String> queue = new Queue<>();
        Greenlet<String> taker = Green.spawn(() -> receiveOrTimedOut(queue, Duration.ofMillis(10)));
        Green.sleep();
        Thread.sleep(40);
        extension.loop().schedule(Duration.ZERO, () -> queue.offer("x"));
        assertEquals("timed out", join(taker));
        assertEquals(List.of("x"), drain(queue));
    }

    @Test
    void aGreenletParkedInPollIsKilledAtOnce() {
        Queue<String> queue = new Queue<>(0);
        Greenlet<String> taker = Green.spawn(() -> queue.poll(Duration.ofSeconds(30)));
        Greenlet<Boolean> putter = Green.spawn(() -> queue.offer("x", Duration.ofSeconds(30)));
        // The putter found the taker parked and handed x over; now a fresh pair that never meets.
        assertEquals("x", join(taker));
        assertEquals(Boolean.TRUE, putter.value());
        Greenlet<String> lonely = Green.spawn(() -> queue.poll(Duration.ofSeconds(30)));
        Green.sleep();
        long start = System.nanoTime();
        lonely.kill();
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        assertInstanceOf(GreenletExit.class, lonely.exception());
    }

    // ---- helpers

    /** Takes from {@code queue} inside a Timeout of {@code limit}; "timed out" when it expires. */
    private static String receiveOrTimedOut(Queue<String> queue, Duration limit) {
        try (Timeout timeout = Timeout.start(limit)) {
            return queue.take();
        } catch (Timeout.Expired e) {
            return "timed out";
        }
    }

    private static <T> T join(Greenlet<T> greenlet) {
        assertTrue(greenlet.join(Duration.ofSeconds(5)), greenlet + " finished");
        assertTrue(greenlet.exception() == null, () -> greenlet + " failed: " + greenlet.exception());
        return greenlet.value();
    }

    private static <T> List<T> drain(Queue<T> queue) {
        List<T> items = new ArrayList<>();
        for (T item; (item = queue.poll()) != null; ) {
            items.add(item);
        }
        return items;
    }

    // Ported from gevent's test__queue.py (JoinableQueue, LifoQueue, PriorityQueue).

    @Test
    void joinWaitsUntilEveryItemPutWasMarkedDone() {
        Queue<Integer> queue = new Queue<>();
        List<Integer> processed = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queue.put(i);
        }
        assertEquals(10, queue.unfinishedTasks());
        Greenlet<Void> worker = Green.spawn(() -> {
            while (true) {
                Integer item = queue.take();
                Green.sleep(Duration.ofMillis(1));
                processed.add(item);
                queue.taskDone();
            }
        });
        assertFalse(queue.join(Duration.ofMillis(2)));
        queue.join();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), processed);
        assertEquals(0, queue.unfinishedTasks());
        assertTrue(queue.join(Duration.ZERO));
        worker.kill();
    }

    @Test
    void anEmptyQueueIsJoinedAtOnceAndTooManyTaskDonesAreRefused() {
        Queue<String> queue = new Queue<>(1);
        queue.join();
        IllegalStateException error = assertThrows(IllegalStateException.class, queue::taskDone);
        assertTrue(error.getMessage().contains("taskDone()"), error.getMessage());
        queue.put("a");
        queue.take();
        queue.taskDone();
        assertThrows(IllegalStateException.class, queue::taskDone);
    }

    @Test
    void itemsHandedToParkedTakersAndFromParkedPuttersCountAsTasks() {
        Queue<String> channel = new Queue<>(0);
        Greenlet<String> taker = Green.spawn(channel::take);
        Green.sleep();
        channel.put("handed");
        assertEquals("handed", taker.join(Duration.ofSeconds(5)) ? taker.value() : null);
        Green.spawn(() -> channel.put("parked"));
        Green.sleep();
        assertEquals("parked", channel.poll());
        assertEquals(2, channel.unfinishedTasks());
        channel.taskDone();
        channel.taskDone();
        assertTrue(channel.join(Duration.ZERO));
    }

    @Test
    void aLifoQueueHandsOutTheLastItemFirst() {
        Queue<Integer> queue = Queue.lifo();
        for (int i = 0; i < 5; i++) {
            queue.put(i);
        }
        List<Integer> taken = new ArrayList<>();
        while (!queue.isEmpty()) {
            taken.add(queue.take());
        }
        assertEquals(List.of(4, 3, 2, 1, 0), taken);
    }

    @Test
    void aBoundedLifoQueueParksPuttersWhileFull() {
        Queue<Integer> queue = Queue.lifo(2);
        queue.put(1);
        queue.put(2);
        assertFalse(queue.offer(3));
        Greenlet<Void> putter = Green.spawn(() -> queue.put(3));
        Green.sleep();
        assertFalse(putter.ready());
        assertEquals(2, queue.take());
        putter.join();
        assertEquals(3, queue.take());
        assertEquals(1, queue.take());
        assertThrows(IllegalArgumentException.class, () -> Queue.lifo(0));
    }

    @Test
    void aPriorityQueueHandsOutTheSmallestFirst() {
        Queue<Integer> queue = Queue.priority(java.util.Comparator.naturalOrder());
        for (int item : new int[] {5, 1, 4, 2, 3}) {
            queue.put(item);
        }
        assertEquals(1, queue.peek());
        List<Integer> taken = new ArrayList<>();
        while (!queue.isEmpty()) {
            taken.add(queue.take());
        }
        assertEquals(List.of(1, 2, 3, 4, 5), taken);
    }

    @Test
    void aBoundedPriorityQueueByACustomOrder() {
        Queue<String> queue = Queue.priority(2, java.util.Comparator.comparing(String::length));
        queue.put("three");
        queue.put("a");
        assertFalse(queue.offer("xx"));
        Greenlet<Void> putter = Green.spawn(() -> queue.put("xx"));
        Green.sleep();
        assertEquals("a", queue.take());
        putter.join();
        assertEquals("xx", queue.take());
        assertEquals("three", queue.take());
        assertThrows(IllegalArgumentException.class, () -> Queue.priority(0, java.util.Comparator.<String>naturalOrder()));
    }
}
