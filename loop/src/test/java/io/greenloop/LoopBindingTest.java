package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop-confined objects ({@link Queue}, {@link Semaphore}): bound by their first use, refused on any other thread. */
class LoopBindingTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void anotherThreadIsToldWhichLoopOwnsIt() throws Exception {
        Queue<String> queue = new Queue<>();
        queue.put("bound");
        Semaphore semaphore = new Semaphore(1);
        semaphore.acquire();
        assertRefusedNamingTheLoop(() -> queue.offer("x"));
        assertEquals(1, queue.size(), "the refused offer added nothing");
        assertRefusedNamingTheLoop(semaphore::release);
        assertEquals(0, semaphore.available(), "the refused release freed nothing");
    }

    /** Runs {@code use} on a new platform thread and checks that it threw {@link IllegalStateException} naming this loop. */
    private void assertRefusedNamingTheLoop(Runnable use) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                use.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        other.join();
        assertInstanceOf(IllegalStateException.class, failure.get());
        assertTrue(failure.get().getMessage().contains(extension.loop().toString()), failure.get().getMessage());
    }
}
