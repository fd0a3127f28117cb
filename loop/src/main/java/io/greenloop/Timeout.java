package io.greenloop;

import io.greenloop.internal.Deadline;

import java.time.Duration;

/**
 * A deadline for the calling greenlet (or loop-owning thread), gevent's {@code Timeout}: when it passes,
 * {@link Expired} is raised at the current or next blocking point. Use it with try-with-resources; a
 * closed timeout never fires. Timeouts nest and keep their identity: when an outer one expires during an
 * inner wait that has its own timeout, the outer {@link Expired} propagates.
 *
 * <p>Inside a JDK blocking call ({@code Thread.sleep}, {@code java.net.Socket}) the expiry arrives as an
 * interrupt, so that call throws its own {@code InterruptedException} or {@code ClosedByInterruptException};
 * {@link Green#withTimeout} turns that back into {@link Expired}.
 */
public final class Timeout implements AutoCloseable {

    /** Raised when a {@link Timeout} expires. An {@link Error} so that {@code catch (Exception e)} cannot swallow it. */
    public static final class Expired extends Error {
        private static final long serialVersionUID = 1L;
        private final transient Timeout timeout;

        /**
         * An expiry of {@code timeout}, with a message that says how long it was.
         *
         * @param timeout the timeout that expired, or {@code null} when raised by hand
         * @param message what happened, for the log
         */
        public Expired(Timeout timeout, String message) {
            super(message);
            this.timeout = timeout;
        }

        /**
         * The timeout that expired, to tell nested timeouts apart ({@code null} when raised by hand).
         *
         * @return the timeout that expired, to tell nested timeouts apart ({@code null} when raised by hand)
         */
        public Timeout timeout() {
            return timeout;
        }
    }

    private final Strand strand;
    private final Duration duration;
    private final Cancellable timer;
    private Expired expired;

    private Timeout(Strand strand, Duration duration) {
        this.strand = strand;
        this.duration = duration;
        this.timer = duration == null ? null : strand.loop.timer(duration, this::fire);
    }

    /**
     * Starts a timeout of {@code duration} for the calling greenlet or loop-owning thread (on a thread with
     * no loop, for its default loop, opened now); {@code null} means no limit: it never fires.
     *
     * @param duration how long until it fires; {@code null}: never
     * @return the started timeout, to cancel when done
     */
    public static Timeout start(Duration duration) {
        return new Timeout(Strand.resolve(), duration);
    }

    private void fire() {
        expired = new Expired(this, "timed out " + Deadline.waited(duration));
        strand.throwInto(expired);
    }

    /** Whether it fired and its {@link Expired} has not been raised yet (a JDK call swallowed the interrupt). */
    boolean firedUnraised() {
        return expired != null && strand.isPending(expired);
    }

    /** The {@link Expired} it raised or will raise, or {@code null} while it has not fired. */
    Expired expired() {
        return expired;
    }

    /**
     * Whether it has fired.
     *
     * @return whether it has fired
     */
    public boolean expiredAlready() {
        return expired != null;
    }

    /** Cancels it: it will not fire, and an expiry not yet raised is dropped. */
    @Override
    public void close() {
        if (timer != null) {
            timer.cancel();
        }
        if (expired != null) {
            strand.clearPending(expired);
        }
    }

    @Override
    public String toString() {
        return "Timeout[" + duration + (expired != null ? ", expired]" : "]");
    }
}
