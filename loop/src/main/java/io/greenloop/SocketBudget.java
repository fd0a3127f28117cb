package io.greenloop;

/**
 * The cooperative socket budget (Tokio's {@code coop}): a greenlet may make {@value #OPERATIONS_PER_RUN} socket
 * operations (reads and writes) in one run, from one resume to its next park; the next one yields first, to the
 * back of the ready queue, so that a greenlet whose reads keep succeeding (a flood, a pipelining client) cannot
 * hold the loop while other connections wait. The loop starts each task with a full budget; the owner thread,
 * whose waits drive the loop, never yields here. Loop thread only.
 */
final class SocketBudget {

    /**
     * Socket operations per run. Netty reads at most 16 messages per channel per readiness event and spins at
     * most 16 times on a write; 16 here gives a pipelining client 8 request/response pairs per turn, while the
     * other greenlets (and timers and I/O, every few passes) get in after at most 16 system calls.
     */
    static final int OPERATIONS_PER_RUN = 16;

    private int spentThisRun;

    /** A task begins: its greenlet has its whole budget. */
    void newRun() {
        spentThisRun = 0;
    }

    /**
     * Checks that the caller is one of {@code loop}'s strands ({@link LoopThread#require}) and spends one operation
     * of its budget: {@code io.greenloop.lowlevel.LowLevel.spendSocketBudget}.
     */
    static void spend(Loop loop, String operation) {
        loop.budget.spend(loop.thread.require(operation));
    }

    /** Spends one operation of {@code strand}'s budget; once it is spent, yields before going on. */
    void spend(Strand strand) {
        if (strand.isOwner() || ++spentThisRun <= OPERATIONS_PER_RUN) {
            return;
        }
        Thread.yield();  // the JDK re-submits the yielding virtual thread: the tail of the ready queue
        strand.raisePending();
    }
}
