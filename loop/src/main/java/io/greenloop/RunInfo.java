package io.greenloop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@link Green#formatRunInfo()} reports, gevent's {@code util.format_run_info}: every open loop in
 * this JVM and its live greenlets. Loops register when their owner thread binds them and leave when they
 * close; their live greenlets are read from each loop's own list ({@code Liveness}), so that a spawn
 * pays for no shared set. Thread-safe: the report is read from any thread while the loops run, so what
 * it shows of a greenlet is a snapshot that may be a moment old.
 */
final class RunInfo {

    /** An open loop and its owner thread. */
    private record OpenLoop(Loop loop, Thread owner) {
    }

    /** Each open loop, in no particular order. */
    private static final Map<Loop, OpenLoop> OPEN = new ConcurrentHashMap<>();

    private RunInfo() {
    }

    static void loopOpened(Loop loop, Thread owner) {
        OPEN.put(loop, new OpenLoop(loop, owner));
    }

    static void loopClosed(Loop loop) {
        OPEN.remove(loop);
    }

    /** The report: a block per open loop, then one per live greenlet with its state and stack. */
    static String format() {
        StringBuilder out = new StringBuilder();
        List<OpenLoop> loops = new ArrayList<>(OPEN.values());
        out.append(loops.size()).append(loops.size() == 1 ? " open loop" : " open loops").append('\n');
        for (OpenLoop open : loops) {
            List<Greenlet<?>> live = open.loop().liveness.snapshotFromAnyThread();
            live.sort(java.util.Comparator.comparing(Greenlet::name));
            out.append('\n').append(open.loop()).append(": owner thread ").append(open.owner().getName())
                    .append(" (").append(open.owner().getState()).append(ownerEnded(open)).append("), transport ")
                    .append(open.loop().transport())
                    .append(", ").append(live.size()).append(live.size() == 1 ? " live greenlet" : " live greenlets")
                    .append(pendingWork(open.loop().stats())).append(idling(open.loop().options())).append('\n');
            appendStack(out, open.owner().getStackTrace(), "    ");
            for (Greenlet<?> greenlet : live) {
                out.append("  ").append(greenlet.name()).append(": ").append(describe(greenlet)).append('\n');
                Thread thread = greenlet.strand().thread;
                if (thread != null) {
                    appendStack(out, thread.getStackTrace(), "      ");
                }
            }
        }
        return out.toString();
    }

    /** A warning when the owner thread has ended without closing its loop, which then holds its sockets for ever. */
    private static String ownerEnded(OpenLoop open) {
        if (open.owner().isAlive()) {
            return "";
        }
        return open.loop().thread.isDefault()
                ? ": ENDED without closing its default loop, which greenloop closes within seconds"
                : ": ENDED without closing this loop, opened with Loop.open(): close it on its owner thread before that ends";
    }

    /** The loop's pending timers and I/O waiters, as of its last poll when another thread asks. */
    private static String pendingWork(Loop.Stats stats) {
        return ", " + stats.pendingTimers() + (stats.pendingTimers() == 1 ? " pending timer, " : " pending timers, ")
                + stats.ioWaiters() + (stats.ioWaiters() == 1 ? " I/O waiter" : " I/O waiters");
    }

    /** The loop's idle strategy when it is not the default, and its CPU when pinned. */
    private static String idling(Loop.Options options) {
        return (options.idleStrategy().equals(IdleStrategy.block()) ? "" : ", idle strategy " + options.idleStrategy())
                + (options.cpu() == Loop.Options.UNPINNED ? "" : ", pinned to CPU " + options.cpu());
    }

    /** Running, ready to run, or parked (and on what). */
    private static String describe(Greenlet<?> greenlet) {
        Greenlet.State state = greenlet.lifeState();
        Strand strand = greenlet.strand();
        Waiter<?> parkedIn = strand.parkedIn();
        Thread thread = strand.thread;
        if (state == Greenlet.State.SCHEDULED) {
            return "ready (not run yet)";
        }
        if (parkedIn != null) {
            return "parked on " + parkedIn.what();
        }
        if (thread == null) {
            return state.name().toLowerCase(java.util.Locale.ROOT);
        }
        return switch (thread.getState()) {
            case WAITING, TIMED_WAITING, BLOCKED -> "parked in a JDK call";
            case RUNNABLE -> "running or ready to run";
            default -> state.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static void appendStack(StringBuilder out, StackTraceElement[] stack, String indent) {
        for (StackTraceElement frame : stack) {
            out.append(indent).append("at ").append(frame).append('\n');
        }
    }
}
