package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop-confined objects ({@link Queue}, {@link Semaphore}, {@link Pool}): bound by their first use, refused on any other thread. */
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
        Pool pool = new Pool(1);
        pool.join();
        assertRefusedNamingTheLoop(pool::join);
    }

    /** Runs {@code use} on another thread and checks that it threw {@link IllegalStateException} naming this loop. */
    private void assertRefusedNamingTheLoop(CheckedRunnable use) throws InterruptedException {
        Throwable failure = OffLoop.thrownBy(use);
        assertInstanceOf(IllegalStateException.class, failure);
        assertTrue(failure.getMessage().contains(extension.loop().toString()), failure.getMessage());
    }
}
