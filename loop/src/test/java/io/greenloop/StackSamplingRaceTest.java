package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Another thread taking greenlets' stacks ({@link Green#formatRunInfo()}, the blocked-loop report, a thread
 * dump) suspends an unmounted virtual thread for a moment; a greenlet woken meanwhile is handed back to the
 * loop from that thread, a little later. The loop must count it as runnable from the moment it was woken,
 * or the owner thread, finding nothing runnable in that moment, throws {@link LoopExit} from a wait that was
 * about to end.
 */
class StackSamplingRaceTest {

    private static final int ROUNDS = 200_000;

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void aPingPongWhileAnotherThreadTakesStacksNeverEndsInLoopExit() throws Exception {
        Event ping = new Event();
        Event pong = new Event();
        long[] rounds = {0};
        Greenlet<Void> server = Green.spawn(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                ping.await();
                ping.clear();
                pong.set();
            }
        });
        Greenlet<Void> client = Green.spawn(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                ping.set();
                pong.await();
                pong.clear();
                rounds[0]++;
            }
        });
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong samples = new AtomicLong();
        Thread sampler = Thread.ofPlatform().name("stack-sampler").start(() -> {
            while (sampling.get()) {
                Green.formatRunInfo();
                samples.incrementAndGet();
            }
        });
        try {
            client.join();  // the owner thread drives the loop here: a LoopExit would be thrown from this wait
            server.join();
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertEquals(ROUNDS, rounds[0]);
        assertTrue(samples.get() > 0, "the sampler took stacks while the greenlets ran");
    }
}
