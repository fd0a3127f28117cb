package io.greenloop;

import io.greenloop.internal.ComponentTask;
import io.greenloop.internal.SafeLog;

import java.util.Objects;

/**
 * Where a loop's failures go: each greenlet's or callback's to the {@link Loop.ErrorHandler}, and the loop goes
 * on; a fatal one ({@link VirtualMachineError}) is kept instead and rethrown on the owner thread when the task it
 * happened in returns to the loop ({@link #rethrowFatal()}), as gevent re-raises system errors in the main
 * greenlet. Loop thread only.
 */
final class LoopErrors {

    /** The loops' log, System.Logger "io.greenloop.Loop": their error reports, and those of their strands and pinning. */
    static final SafeLog LOG = SafeLog.of("Loop");

    private Loop.ErrorHandler handler = LoopErrors::log;
    /** A fatal error that reached the loop in a greenlet or callback, to rethrow on the owner thread after that task. */
    private VirtualMachineError fatal;

    /** Sets the handler. */
    void handler(Loop.ErrorHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Hands a failure of {@code greenlet} ({@code null}: a callback) to the handler, or keeps a fatal one. */
    void report(Greenlet<?> greenlet, Throwable error) {
        if (error instanceof VirtualMachineError vmError) {
            recordFatal(vmError);
            return;
        }
        try {
            handler.handle(greenlet, error);
        } catch (VirtualMachineError handlerFatal) {
            recordFatal(handlerFatal);
        } catch (Throwable handlerFailure) {
            handlerFailure.addSuppressed(error);
            log(greenlet, handlerFailure);
        }
    }

    private void recordFatal(VirtualMachineError error) {
        if (fatal == null) {
            fatal = error;
        } else if (fatal != error) {
            fatal.addSuppressed(error);
        }
    }

    /** Throws the fatal error a task left, if any, and forgets it: the owner thread sees it once. */
    void rethrowFatal() {
        VirtualMachineError error = fatal;
        if (error != null) {
            fatal = null;
            throw error;
        }
    }

    /** The default handler: a component's greenlet (a server's handler) on that component's log, the rest on the loop's. */
    private static void log(Greenlet<?> greenlet, Throwable error) {
        if (greenlet != null && greenlet.body() instanceof ComponentTask task) {
            task.log().log(System.Logger.Level.ERROR, greenlet.name() + ", " + task.describe() + ", failed", error);
        } else {
            LOG.log(System.Logger.Level.ERROR, (greenlet == null ? "a loop callback" : greenlet.name()) + " failed", error);
        }
    }
}
