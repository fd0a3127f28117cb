package io.greenloop;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records in this JVM with jdk.jfr, dumps the recording and reads it back, as {@code jfr print} would. */
class LoopEventsTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @TempDir
    Path directory;

    @Test
    void aBlockedLoopIsRecordedWithTheStackOfTheGreenletThatHeldIt() throws Exception {
        Loop loop = extension.loop();
        List<RecordedEvent> events;
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            Greenlet<Boolean> holder = Green.spawn(() -> holdTheLoopUntilReported(loop));
            assertTrue(holder.get(), "the monitor reported the greenlet within 10 s: " + loop.stats());
            awaitEventEmitted(loop, 1);
            events = stopAndRead(recording);
        }
        List<RecordedEvent> blocked = named(events, "io.greenloop.LoopBlocked");
        assertEquals(1, blocked.size(), blocked.toString());
        RecordedEvent event = blocked.getFirst();
        assertEquals(loop.stats.name(), event.getString("loop"));
        assertEquals("greenlet Greenlet-0@" + loop.stats.name(), event.getString("greenlet"));
        assertTrue(event.getLong("heldMillis") > 0, event.toString());
        assertTrue(event.getString("stack").contains("holdTheLoopUntilReported"), event.getString("stack"));
        assertEquals(1, loop.stats().blockedReports());
        assertTrue(named(events, "io.greenloop.GreenletSpawn").isEmpty(), "spawn events are off in the default settings");
        assertTrue(named(events, "io.greenloop.GreenletExit").isEmpty(), "exit events are off in the default settings");
    }

    /**
     * The event says how long the loop was held in all, not how long it had been held when the monitor saw it
     * (100 ms, the limit, for a block of 300): it is committed once the loop is released, with the stack taken at
     * detection. The greenlet spins 300 ms and on until it is reported (a monitor descheduled on a loaded machine
     * may see it late), and times itself: the event's time is at least that.
     */
    @Test
    void aBlockOf300MillisIsRecordedWithTheWholeTimeItHeldTheLoop() throws Exception {
        Loop loop = extension.loop();
        List<RecordedEvent> events;
        long spunMillis;
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            Greenlet<Long> holder = Green.spawn(() -> {
                long start = System.nanoTime();
                BlockingReports.spinFor(300);
                assertTrue(holdTheLoopUntilReported(loop), "the monitor reported the greenlet within 10 s");
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            });
            spunMillis = holder.get();
            awaitEventEmitted(loop, 1);
            events = stopAndRead(recording);
        }
        List<RecordedEvent> blocked = named(events, "io.greenloop.LoopBlocked");
        assertEquals(1, blocked.size(), blocked.toString());
        long heldMillis = blocked.getFirst().getLong("heldMillis");
        assertTrue(heldMillis >= spunMillis, "held " + heldMillis + " ms in the event, spun " + spunMillis + " ms");
        assertTrue(blocked.getFirst().getString("stack").contains("aBlockOf300MillisIsRecorded"), blocked.getFirst().getString("stack"));
        String committedBy = blocked.getFirst().getThread().getJavaName();
        assertTrue(committedBy.startsWith("greenloop-blocking-"), "committed by the monitor, not the loop's owner: " + committedBy);
    }

    @Test
    void spawnAndExitAreRecordedWhenARecordingEnablesThem() throws Exception {
        Loop loop = extension.loop();
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            recording.enable("io.greenloop.GreenletSpawn");
            recording.enable("io.greenloop.GreenletExit");
            recording.start();
            Green.spawn(() -> "done").join();
            Greenlet<?> failing = Green.spawn(() -> {
                throw new IllegalStateException("on purpose");
            });
            failing.join();
            Greenlet<?> sleeper = Green.spawn(() -> Green.sleep(java.time.Duration.ofMinutes(1)));
            Green.sleep();
            sleeper.kill();
            events = stopAndRead(recording);
        }
        assertEquals(1, extension.takeErrors().size(), "the failing greenlet's error");
        List<RecordedEvent> spawned = named(events, "io.greenloop.GreenletSpawn");
        String at = "@" + loop.stats.name();
        assertEquals(List.of("Greenlet-0" + at, "Greenlet-1" + at, "Greenlet-2" + at),
                spawned.stream().map(e -> e.getString("greenlet")).toList());
        assertEquals(loop.stats.name(), spawned.getFirst().getString("loop"));
        assertEquals("Greenlet-0" + at, spawned.getFirst().getThread().getJavaName(), "recorded on the greenlet's own thread");
        List<String> outcomes = named(events, "io.greenloop.GreenletExit").stream().map(e -> e.getString("outcome")).toList();
        assertEquals(List.of("successful", "failed: java.lang.IllegalStateException: on purpose", "killed"), outcomes);
    }

    /** Holds the loop without yielding until the blocked-loop monitor has reported it (or 10 s passed). */
    private static boolean holdTheLoopUntilReported(Loop loop) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (loop.stats().blockedReports() == 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Waits (driving the loop) until the monitor has seen the loop released and emitted the incident's event. */
    private static void awaitEventEmitted(Loop loop, long count) {
        Eventually.await("the blocked-loop event of " + loop, () -> loop.stats.blockedEventsEmitted() >= count);
    }

    private List<RecordedEvent> stopAndRead(Recording recording) throws Exception {
        recording.stop();
        Path file = directory.resolve("recording.jfr");
        recording.dump(file);
        return RecordingFile.readAllEvents(file);
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(event -> event.getEventType().getName().equals(name)).toList();
    }
}
