package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14's fault suite, the parts that are not about sockets: kill storms on {@link Queue} and
 * {@link Semaphore} that must lose or duplicate nothing, and floods of {@link AsyncResult#set} from other
 * threads that must wake every waiter. Each transport runs it (loop's test-jar, {@code -Dgreenloop.transport=NAME}).
 */
class CrossThreadFaultTest {

    /** The longest any one test waits for its greenlets: generous, for a shared 2-core machine. */
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();


    private static final int ITEMS = 20_000;

    @Test
    void aKillStormOnQueueConsumersLosesAndDuplicatesNoItem() {
        Queue<Integer> queue = new Queue<>(64);
        BitSet received = new BitSet(ITEMS);
        int[] duplicates = {0};
        Greenlet<Void> producer = Green.spawn(() -> {
            for (int i = 0; i < ITEMS; i++) {
                queue.put(i);
            }
        });
        List<Greenlet<Void>> consumers = new ArrayList<>();
        Random random = new Random(14);
        int kills = 0;
        while (!producer.ready() || !queue.isEmpty()) {
            while (consumers.size() < 8) {
                consumers.add(Green.spawn(() -> {
                    while (true) {
                        int item = queue.take();
                        if (received.get(item)) {
                            duplicates[0]++;
                        }
                        received.set(item);
                    }
                }));
            }
            Green.sleep(Duration.ofNanos(random.nextInt(200_000)));
            Greenlet<Void> victim = consumers.remove(random.nextInt(consumers.size()));
            victim.kill(new GreenletExit("kill storm"), false, null);
            kills++;
        }
        Green.killAll(consumers, LIMIT);
        // A consumer killed after an item was handed to it, before it could resume, gives the item back:
        // the final kills can leave a few items in the queue, and they count as kept, not lost.
        int givenBack = 0;
        for (Integer item; (item = queue.poll()) != null; givenBack++) {
            if (received.get(item)) {
                duplicates[0]++;
            }
            received.set(item);
        }
        assertEquals(0, duplicates[0], "no item was taken twice");
        assertEquals(ITEMS, received.cardinality(),
                "every item was taken once or is back in the queue (" + givenBack + "), through " + kills + " kills");
    }

    @Test
    void aKillStormOnSemaphoreWaitersLeavesEveryPermit() {
        Semaphore semaphore = new Semaphore(3);
        Random random = new Random(14);
        int[] held = {0};
        int[] mostHeld = {0};
        List<Greenlet<Void>> workers = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            for (int i = 0; i < 10; i++) {
                workers.add(Green.spawn(() -> {
                    semaphore.acquire();
                    try {
                        held[0]++;
                        mostHeld[0] = Math.max(mostHeld[0], held[0]);
                        Green.sleep(Duration.ofNanos(random.nextInt(100_000)));
                    } finally {
                        held[0]--;
                        semaphore.release();
                    }
                }));
            }
            Green.sleep(Duration.ofNanos(random.nextInt(300_000)));
            for (int k = 0; k < 4; k++) {
                workers.get(random.nextInt(workers.size())).kill(new GreenletExit("kill storm"), false, null);
            }
            workers.removeIf(Greenlet::ready);
        }
        assertEquals(workers.size(), Green.joinAll(workers, LIMIT).size(), "every worker ended");
        for (Greenlet<Void> worker : workers) {
            assertTrue(worker.exception() == null || worker.exception() instanceof GreenletExit, worker + ": " + worker.exception());
        }
        assertEquals(3, semaphore.available(), "every permit came back");
        assertTrue(mostHeld[0] <= 3, "never more holders than permits: " + mostHeld[0]);
    }

    @Test
    void aFloodOfAsyncResultSetsFromFourThreadsWakesEveryWaiterWithItsValue() throws Exception {
        int waiters = 4_000;
        List<AsyncResult<Integer>> results = new ArrayList<>();
        List<Greenlet<Integer>> greenlets = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            AsyncResult<Integer> result = new AsyncResult<>();
            results.add(result);
            greenlets.add(Green.spawn(() -> result.get()));
        }
        Green.sleep(); // every greenlet is parked on its result
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> setters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int first = t;
            setters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = first; i < waiters; i += 4) {
                    results.get(i).set(i);
                }
            }));
        }
        go.countDown();
        loops.joinAllOrFail(greenlets, LIMIT);
        for (Thread setter : setters) {
            setter.join();
        }
        for (int i = 0; i < waiters; i++) {
            assertEquals(i, greenlets.get(i).value(), "waiter " + i + " got its own value");
        }
    }
}
