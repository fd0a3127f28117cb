package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Green#formatRunInfo()}, after gevent's {@code test__util.py} {@code format_run_info} cases: the
 * report lists every open loop and each live greenlet with its state and stack, from any thread.
 */
class RunInfoTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void listsTheLoopAndEachLiveGreenletWithWhatItIsParkedOnAndItsStack() throws Exception {
        Event never = new Event();
        Greenlet<Void> waiter = Green.spawn(() -> parkOnTheEvent(never));
        Greenlet<Void> sleeper = Green.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        Green.sleep();
        AtomicReference<String> report = new AtomicReference<>();
        Thread diagnostics = Thread.ofPlatform().start(() -> report.set(Green.formatRunInfo()));
        while (diagnostics.isAlive()) {
            Green.sleep(Duration.ofMillis(1));
        }
        String text = report.get();
        assertTrue(text.contains(loop.loop().toString()), text);
        assertTrue(text.contains("transport " + loop.loop().transport()), text);
        assertTrue(text.contains(waiter.name() + ": parked on Event.await()"), text);
        assertTrue(text.contains(sleeper.name() + ": parked on sleep(PT30S)"), text);
        assertTrue(text.contains("parkOnTheEvent"), "the waiter's stack is shown: " + text);
        java.util.regex.Matcher pending = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(loop.loop() + ": owner thread") + ".*?(\\d+) pending timers?, \\d+ I/O waiters?").matcher(text);
        assertTrue(pending.find(), "the loop's pending timers and I/O waiters: " + text);
        assertTrue(Integer.parseInt(pending.group(1)) >= 1, "the sleeper's timer at least: " + text);
        Green.killAll(java.util.List.of(waiter, sleeper));
        assertFalse(Green.formatRunInfo().contains(waiter.name() + ":"), "a dead greenlet is not listed");
    }

    private static void parkOnTheEvent(Event event) {
        event.await();
    }

    @Test
    void aClosedLoopIsNoLongerListedAndANewThreadsLoopIs() throws Exception {
        AtomicReference<String> whileOpen = new AtomicReference<>();
        AtomicReference<String> name = new AtomicReference<>();
        Thread other = Thread.ofPlatform().name("run-info-owner").start(() -> {
            try (Loop own = Loop.open()) {
                name.set(own.toString());
                whileOpen.set(Green.formatRunInfo());
            }
        });
        other.join();
        assertTrue(whileOpen.get().contains(name.get() + ": owner thread run-info-owner"), whileOpen.get());
        assertTrue(whileOpen.get().contains(loop.loop().toString()), "every open loop in the JVM: " + whileOpen.get());
        assertFalse(Green.formatRunInfo().contains("run-info-owner"), Green.formatRunInfo());
    }
}
