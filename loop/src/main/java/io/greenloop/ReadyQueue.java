package io.greenloop;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * A loop's ready queue, phase 2 of its iteration: callbacks and greenlets to resume, FIFO. Work reaches it two
 * ways: from the loop's own thread straight onto the queue, from other threads through the inbox
 * ({@link LoopShared}). It runs in passes (Trio's batches) that each run all of what was queued when the pass
 * began, with up to {@value #MAX_INBOX_MOVE_PER_PASS} callbacks from the inbox, and nothing newer: what they queue
 * waits for the next pass, which is what makes {@code sleep()} fair. A pass is never cut short, so every greenlet
 * the last poll woke runs before the next poll and a level-triggered poller (nio) does not report again the
 * sockets whose greenlets have not read yet; passes go on while there is work, up to
 * {@value #MAX_PASSES_PER_ITERATION} of them or {@value #MAX_READY_PHASE_NANOS} ns, so that a flood of
 * {@link Loop#execute} cannot starve timers and I/O.
 *
 * <p>Thread rule: {@link #submit} on any thread; the rest on the loop's thread.
 */
final class ReadyQueue {

    /**
     * How many passes one iteration may run before it polls I/O: many passes per poll keep a greenlet switch from
     * paying for a poll system call each time, while the time bound below gives I/O and timers their turn.
     */
    static final int MAX_PASSES_PER_ITERATION = 1024;
    /** And how long those passes may take, so that one busy iteration cannot starve I/O and timers. */
    static final long MAX_READY_PHASE_NANOS = 100_000;
    /**
     * How many tasks run between two looks at the clock, which happen between passes only (Netty's
     * {@code runAllTasks(timeout)} looks every 64 tasks too): a clock read costs about as much as a small task.
     */
    static final int TASKS_PER_CLOCK_CHECK = 64;
    /**
     * The most callbacks from other threads that one pass takes from the inbox: other threads can add as fast as
     * the loop moves them, so an unbounded drain may never end, and what one pass takes runs before the greenlets
     * woken after it.
     */
    static final int MAX_INBOX_MOVE_PER_PASS = 1024;

    private final Loop loop;
    private final LoopShared shared;
    private final int maxPendingCallbacks;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** The owner thread's wait is over: end the passes, and let the poll not wait, so that the wait returns. */
    private boolean ownerWoken;

    /** The ready queue of {@code loop}, whose inbox ({@code shared}) refuses users' callbacks beyond {@code maxPendingCallbacks}. */
    ReadyQueue(Loop loop, LoopShared shared, int maxPendingCallbacks) {
        this.loop = loop;
        this.shared = shared;
        this.maxPendingCallbacks = maxPendingCallbacks;
    }

    /**
     * Queues {@code callback}: at the end of the queue from the loop's thread, else in the inbox, waking a loop
     * that sleeps in its poll. Refuses it once the loop is closed, and a {@code user}'s callback from another
     * thread beyond the bound on pending ones. Any thread.
     */
    void submit(Runnable callback, boolean user) {
        if (loop.thread.isCurrent()) {
            if (shared.isClosed()) {
                throw new RejectedExecutionException(loop + " is closed: the callback would never run");
            }
            tasks.add(callback);
            return;
        }
        switch (shared.submit(callback, user)) {
            case ACCEPTED -> { }
            case CLOSED -> throw new RejectedExecutionException(loop + " is closed: the callback would never run");
            case FULL -> throw new RejectedExecutionException(loop + " has its bound of " + maxPendingCallbacks
                    + " callbacks from other threads pending (Loop.Options.withMaxPendingCallbacks):"
                    + " retry later, or hand this loop less work");
        }
    }

    /** Queues {@code task} at the end of the queue. Loop thread only. */
    void add(Runnable task) {
        tasks.add(task);
    }

    /** Whether a task is queued, or a callback waits in the inbox. */
    boolean hasTasks() {
        return !tasks.isEmpty() || !shared.inboxIsEmpty();
    }

    /** Whether the poll must not wait: a task is queued, or the owner thread's wait is over. */
    boolean hasWork() {
        return ownerWoken || hasTasks();
    }

    /** A new iteration begins: the owner thread, if it drives the loop, waits again. */
    void newIteration() {
        ownerWoken = false;
    }

    /** The owner thread's wait is over: the passes end, and the poll does not wait. */
    void ownerWoken() {
        ownerWoken = true;
    }

    /**
     * Runs up to {@code maxPasses} passes; stops between passes when the owner thread's wait is over, a stop is
     * asked, or the time bound has passed (looked at once {@value #TASKS_PER_CLOCK_CHECK} tasks have run since the
     * last look). Returns the clock: {@code now} if no task ran, else a fresh read.
     */
    long runPasses(long now, int maxPasses) {
        long deadline = now + MAX_READY_PHASE_NANOS;
        int sinceClockCheck = 0;
        for (int pass = 0; pass < maxPasses && !ownerWoken && !shared.stopRequested(); pass++) {
            shared.moveInboxTo(tasks, MAX_INBOX_MOVE_PER_PASS);
            int count = tasks.size();
            if (count == 0) {
                break;
            }
            sinceClockCheck += count;
            for (; count > 0; count--) {
                loop.runTask(tasks.poll());
            }
            if (sinceClockCheck >= TASKS_PER_CLOCK_CHECK) {
                sinceClockCheck = 0;
                now = System.nanoTime();
                if (now - deadline >= 0) {
                    return now;
                }
            }
        }
        return sinceClockCheck == 0 ? now : System.nanoTime();  // tasks ran since now was read
    }

    /**
     * Runs what was accepted before the loop closed: the queue, and the inbox until the callbacks counted in it
     * are all taken (a thread that counted one before the close may still be linking it: then wait for it). The
     * inbox refuses new ones by now, so this ends.
     */
    void runAccepted() {
        loop.thread.inPhases(true);  // callbacks, as in an iteration: a wait inside one is refused
        try {
            while (hasTasks()) {
                shared.moveInboxTo(tasks, MAX_INBOX_MOVE_PER_PASS);
                if (tasks.isEmpty()) {
                    Thread.yield();  // the thread still linking its callback may need this core
                }
                for (int count = tasks.size(); count > 0; count--) {
                    loop.runTask(tasks.poll());
                }
            }
        } finally {
            loop.thread.inPhases(false);
        }
    }
}
