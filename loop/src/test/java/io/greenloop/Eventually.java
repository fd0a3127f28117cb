package io.greenloop;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waits for a condition by cause instead of for a fixed delay: a test that slept 10 ms "for the greenlets to
 * start" failed on a loaded machine where they had not. Polls while driving the loop ({@link Green#sleep}),
 * so greenlets, timers and I/O run meanwhile; the bound is generous because it is only reached when the
 * condition never comes, which is the test's failure.
 */
public final class Eventually {

    /** Far beyond any delay seen on a loaded machine; only a broken condition waits this long. */
    public static final Duration LIMIT = Duration.ofSeconds(10);
    private static final Duration POLL_PERIOD = Duration.ofMillis(1);

    private Eventually() {
    }

    /** Drives the calling greenlet's loop until {@code condition} holds; fails naming {@code what} after {@link #LIMIT}. */
    public static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("waited " + LIMIT.toSeconds() + " s for " + what);
            }
            Green.sleep(POLL_PERIOD);
        }
    }

    /**
     * Like {@link #await}, on a thread that must not drive a loop (a thread of the test's other than the loop's
     * owner): sleeps between looks.
     */
    public static void awaitOffLoop(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("waited " + LIMIT.toSeconds() + " s for " + what);
            }
            Thread.sleep(POLL_PERIOD.toMillis());
        }
    }

    /**
     * Whether {@code owner}, a loop's owner thread, is blocked in its transport's poll right now: the top of its
     * stack is a native method (epoll_wait, kevent, the selector's wait) called from a transport's {@code poll}.
     */
    public static boolean blockedInPoll(Thread owner) {
        StackTraceElement[] stack = owner.getStackTrace();
        return stack.length > 0 && stack[0].isNativeMethod() && Arrays.stream(stack).anyMatch(frame ->
                frame.getMethodName().equals("poll") && frame.getClassName().endsWith("Transport"));
    }
}
