package io.greenloop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * greenloop's JFR events, and the one place that emits them. Until JFR has started in this JVM no event
 * class is even loaded: loading the first {@link Event} class initialises JFR's metadata, which takes seconds on
 * a busy machine and would hold a loop that long; {@link FlightRecorder#isInitialized()}
 * is one volatile read. Once JFR runs, each emitter makes its event and asks {@code shouldCommit()} before
 * it reads or formats anything: with the event off that is {@code false}, and the allocation is optimised
 * away. A loop that opens while JFR runs loads the event classes then (milliseconds, on the opening thread),
 * so that the first event does not cost a loop that time; a recording started later pays it on the first event.
 * {@code io.greenloop.GreenletSpawn} and {@code io.greenloop.GreenletExit} are off unless a recording turns
 * them on ({@code jfr configure +io.greenloop.GreenletSpawn#enabled=true}, or a {@code .jfc} file), because
 * a server spawns a greenlet per request.
 *
 * <p>No event is committed by a loop's owner thread: the greenlet events by the greenlet's own virtual thread,
 * {@code LoopBlocked} by the blocked-loop monitor. The owner thread is the carrier of its greenlets, and JFR
 * drops the first event a platform thread commits after a virtual thread has run on it (measured on JDK 25:
 * after each greenlet's turn the owner's next event is lost and the one after it is kept), while the events
 * of virtual threads and of threads that carry none are all kept.
 */
final class LoopEvents {

    /** How many frames of the blocking greenlet's stack the event carries; JFR's own default depth is 64. */
    private static final int MAX_STACK_FRAMES = 128;

    private LoopEvents() {
    }

    /** Loads the event classes now, off any running loop, when JFR runs; a loop's constructor calls it. */
    static void loadIfRecorderRunning() {
        if (FlightRecorder.isInitialized()) {
            new LoopBlockedEvent().shouldCommit();
            new GreenletSpawnEvent().shouldCommit();
            new GreenletExitEvent().shouldCommit();
        }
    }

    /**
     * A greenlet or callback held its loop past the blocked-loop limit, committed when the loop was released with
     * how long it was held in all. JFR records the stack of the thread that emits an event, which here is the
     * monitor's; the stack that matters is the one the greenlet had when detected, so it is a field.
     */
    @Name("io.greenloop.LoopBlocked")
    @Label("Loop Blocked")
    @Category("greenloop")
    @Description("A greenlet or loop callback held its loop longer than -Dgreenloop.maxBlockingMillis without yielding;"
            + " committed when the loop was released")
    @StackTrace(false)
    static final class LoopBlockedEvent extends Event {
        @Label("Loop")
        String loop;
        @Label("Greenlet")
        @Description("The greenlet (or loop callback) that held the loop")
        String greenlet;
        @Label("Held")
        @Description("How long the loop was held in all: at least that, at most one limit more (the monitor samples)")
        @Timespan(Timespan.MILLISECONDS)
        long heldMillis;
        @Label("Stack")
        @Description("The stack of the greenlet that held the loop, when the monitor saw it")
        String stack;
    }

    /** A greenlet was spawned: recorded as it starts to run, on its own thread. */
    @Name("io.greenloop.GreenletSpawn")
    @Label("Greenlet Spawn")
    @Category("greenloop")
    @Description("A greenlet starts to run")
    @Enabled(false)
    @StackTrace(false)
    static final class GreenletSpawnEvent extends Event {
        @Label("Loop")
        String loop;
        @Label("Greenlet")
        String greenlet;
    }

    /** A greenlet finished, in any way. */
    @Name("io.greenloop.GreenletExit")
    @Label("Greenlet Exit")
    @Category("greenloop")
    @Enabled(false)
    @StackTrace(false)
    static final class GreenletExitEvent extends Event {
        @Label("Loop")
        String loop;
        @Label("Greenlet")
        String greenlet;
        @Label("Outcome")
        @Description("successful, killed (GreenletExit), or failed: the exception")
        String outcome;
    }

    /**
     * The monitor's or a report thread, never the owner's: emits the event of a blocked-loop incident once the loop
     * was released, with the time it was held in all and the stack it had when detected.
     */
    static void loopBlocked(Loop loop, String greenlet, long heldMillis, StackTraceElement[] stack) {
        if (FlightRecorder.isInitialized()) {
            LoopBlockedEvent event = new LoopBlockedEvent();
            if (event.shouldCommit()) {
                event.loop = loop.stats.name();
                event.greenlet = greenlet;
                event.heldMillis = heldMillis;
                event.stack = format(stack);
                event.commit();
            }
        }
        loop.stats.blockedEventEmitted();
    }

    /** The greenlet's own thread: it starts to run. */
    static void greenletSpawned(Loop loop, Greenlet<?> greenlet) {
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        GreenletSpawnEvent event = new GreenletSpawnEvent();
        if (event.shouldCommit()) {
            event.loop = loop.stats.name();
            event.greenlet = greenlet.name();
            event.commit();
        }
    }

    /** The greenlet's own thread: it has finished with {@code failure} ({@code null} when it returned). */
    static void greenletExited(Loop loop, Greenlet<?> greenlet, Throwable failure) {
        if (!FlightRecorder.isInitialized()) {
            return;
        }
        GreenletExitEvent event = new GreenletExitEvent();
        if (event.shouldCommit()) {
            event.loop = loop.stats.name();
            event.greenlet = greenlet.name();
            event.outcome = failure == null ? "successful" : failure instanceof GreenletExit ? "killed" : "failed: " + failure;
            event.commit();
        }
    }

    /** The stack as {@link Throwable#printStackTrace()} writes its frames. */
    static String format(StackTraceElement[] stack) {
        StringBuilder text = new StringBuilder();
        int shown = Math.min(stack.length, MAX_STACK_FRAMES);
        for (int i = 0; i < shown; i++) {
            text.append("\tat ").append(stack[i]).append('\n');
        }
        if (shown < stack.length) {
            text.append("\t... ").append(stack.length - shown).append(" more\n");
        }
        return text.toString();
    }
}
