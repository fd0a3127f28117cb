package io.greenloop;

/**
 * Something a greenlet can wait for: {@link Greenlet}, {@link Event}, {@link AsyncResult},
 * {@code Subprocess}. {@link Green#waitAll(java.util.Collection, java.time.Duration)} and
 * {@link Green#iwait} take any mix of them.
 */
public interface Waitable {

    /**
     * Whether it is ready now (finished, set, exited). Never waits.
     *
     * @return whether it is ready now (finished, set, exited)
     */
    boolean ready();

    /**
     * Runs {@code callback} on the calling thread's loop once this is ready, soon if it is ready now; the
     * returned handle unlinks it. Loop thread only; the callback must not block. greenloop's own
     * waitables are woken by whatever makes them ready; this default, for a class that implements only
     * {@link #ready()}, asks {@code ready()} on the loop every few milliseconds instead.
     *
     * @param callback what to run
     * @return a handle whose {@code cancel()} unlinks the callback
     */
    default Cancellable onReady(Runnable callback) {
        return Links.pollUntilReady(this, callback);
    }
}
