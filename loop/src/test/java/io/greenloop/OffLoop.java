package io.greenloop;

import java.util.concurrent.atomic.AtomicReference;

/** A test's "another thread": a new platform thread, which owns no loop and runs on none. */
public final class OffLoop {

    private OffLoop() {
    }

    /** Runs {@code body} on a new platform thread, waits for it to end, and returns what it threw ({@code null}: nothing). */
    public static Throwable thrownBy(CheckedRunnable body) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        other.join();
        return thrown.get();
    }
}
