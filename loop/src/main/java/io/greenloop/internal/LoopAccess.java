package io.greenloop.internal;

import io.greenloop.Loop;
import io.greenloop.spi.Transport;

import java.util.Objects;

/**
 * The door from {@code io.greenloop.lowlevel} to the loop's package-private parts, so that they need not be
 * public on {@link Loop}: {@code Loop} installs its implementation once, as its class initializes (as the
 * JDK's {@code SharedSecrets} do). Not for applications. Thread-safe.
 */
public interface LoopAccess {

    /**
     * The loop's transport. Loop thread only.
     *
     * @param loop the loop
     * @return the loop's transport
     */
    Transport transport(Loop loop);

    /**
     * Throws {@link IllegalStateException} naming {@code operation} unless the caller is on the loop's thread.
     *
     * @param loop the loop
     * @param operation what the caller does, for the message
     */
    void requireLoopThread(Loop loop, String operation);

    /**
     * Like {@link #requireLoopThread}, and spends one unit of the calling greenlet's socket budget, yielding
     * to the back of the ready queue when it is spent (see {@code Loop.SOCKET_OPERATIONS_PER_RUN}).
     *
     * @param loop the loop
     * @param operation what the caller does, for the message
     */
    void spendSocketBudget(Loop loop, String operation);

    /**
     * Runs {@code callback} on the loop soon, from any thread, never refused for the bound on pending callbacks.
     *
     * @param loop the loop to run it on
     * @param callback what to run on the loop's thread
     */
    void handOff(Loop loop, Runnable callback);

    /**
     * Installs the implementation; {@code Loop}'s class initializer calls it, once.
     *
     * @param access the implementation
     */
    static void install(LoopAccess access) {
        Objects.requireNonNull(access, "access");
        synchronized (Holder.class) {
            if (Holder.access != null) {
                throw new IllegalStateException("the loop access is installed already");
            }
            Holder.access = access;
        }
    }

    /**
     * The installed implementation; initializes {@code Loop} first if nothing has yet.
     *
     * @return the installed implementation; initializes {@code Loop} first if nothing has yet
     */
    static LoopAccess get() {
        LoopAccess access = Holder.access;
        if (access == null) {
            try {
                Class.forName(Loop.class.getName(), true, Loop.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("io.greenloop.Loop is missing", e);
            }
            access = Holder.access;
        }
        return access;
    }

    /** Where the implementation lives (an interface has no private static fields). */
    final class Holder {
        private static volatile LoopAccess access;

        private Holder() {
        }
    }
}
