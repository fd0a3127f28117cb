package io.greenloop;

import io.greenloop.net.TcpListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopStatsTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void countsIterationsPollsAndEveryTaskItRan() {
        Loop loop = extension.loop();
        Loop.Stats before = loop.stats();
        List<Greenlet<?>> sleepers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sleepers.add(Green.spawn(() -> {
                for (int n = 0; n < 10; n++) {
                    Green.sleep();
                }
            }));
        }
        Green.joinAll(sleepers);
        Loop.Stats after = loop.stats();
        // Each greenlet runs once to start and once after each of its ten sleeps.
        assertTrue(after.tasksRun() - before.tasksRun() >= 33, before + " -> " + after);
        assertTrue(after.iterations() > before.iterations(), before + " -> " + after);
        assertTrue(after.polls() > before.polls(), before + " -> " + after);
        assertEquals(0, after.liveGreenlets(), after.toString());
    }

    @Test
    void showsLiveGreenletsPendingTimersAndIoWaitersOnTheLoopThread() throws Exception {
        Loop loop = extension.loop();
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16)) {
            Greenlet<?> accepting = Green.spawn(() -> listener.accept());
            Green.sleep();
            Loop.Stats parked = loop.stats();
            assertEquals(1, parked.liveGreenlets(), parked.toString());
            assertEquals(1, parked.ioWaiters(), parked.toString());
            Cancellable timer = loop.schedule(Duration.ofMinutes(1), () -> { });
            assertEquals(parked.pendingTimers() + 1, loop.stats().pendingTimers(), "the armed timer counts");
            timer.cancel();
            assertEquals(parked.pendingTimers(), loop.stats().pendingTimers(), "a cancelled timer does not");
            accepting.kill();
            Loop.Stats killed = loop.stats();
            assertEquals(0, killed.liveGreenlets(), killed.toString());
            assertEquals(0, killed.ioWaiters(), killed.toString());
        }
    }

    /** The owner waits in its poll while a platform thread reads the statistics, without stopping the loop. */
    @Test
    void anotherThreadReadsThemWhileTheLoopWaitsInItsPoll() throws Exception {
        Loop loop = extension.loop();
        Event release = new Event();
        Greenlet<?> waiting = Green.spawn(() -> release.await(null));
        Cancellable keepAlive = loop.keepAlive();
        AsyncResult<List<Loop.Stats>> seen = new AsyncResult<>();
        Thread reader = Thread.ofPlatform().name("stats-reader").start(() -> {
            List<Loop.Stats> reads = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            do {
                reads.add(loop.stats());
            } while (reads.getLast().liveGreenlets() != 1 && System.nanoTime() - deadline < 0);
            seen.set(reads);
            keepAlive.cancel();
        });
        List<Loop.Stats> reads = seen.get();  // drives the loop: it polls, and waits there, until the reader is done
        reader.join();
        Loop.Stats last = reads.getLast();
        assertEquals(1, last.liveGreenlets(), "the parked greenlet, published before the poll: " + reads);
        assertTrue(last.iterations() > 0 && last.polls() > 0 && last.tasksRun() > 0, last.toString());
        for (int i = 1; i < reads.size(); i++) {
            Loop.Stats earlier = reads.get(i - 1);
            Loop.Stats later = reads.get(i);
            assertTrue(later.iterations() >= earlier.iterations() && later.polls() >= earlier.polls()
                    && later.tasksRun() >= earlier.tasksRun(), "counters never go back: " + earlier + " -> " + later);
        }
        release.set();
        waiting.join();
    }
}
