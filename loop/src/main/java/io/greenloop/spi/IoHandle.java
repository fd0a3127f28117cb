package io.greenloop.spi;

import java.io.IOException;

/**
 * A non-blocking OS handle registered with a {@link Transport}. The transport calls its
 * {@link ReadyListener} from {@link Transport#dispatch()} when it is ready for an op in its interest.
 * Loop thread only.
 */
public interface IoHandle extends AutoCloseable {

    /** Readable, or a connection waiting to be accepted, or end of stream, or an error. */
    int READ = 1;
    /** Writable, or a connect that finished (successfully or not), or an error. */
    int WRITE = 2;

    /**
     * Sets the listener that {@link Transport#dispatch()} calls with the ready ops.
     *
     * @param listener called on the loop thread with the ready ops
     */
    void listener(ReadyListener listener);

    /**
     * Sets the ops ({@link #READ}, {@link #WRITE}, or both, or 0) to be reported; effective before the next poll.
     *
     * @param ops the readiness operations, as {@link io.greenloop.spi.IoHandle} bits
     */
    void interest(int ops);

    /**
     * The ops currently of interest.
     *
     * @return the ops currently of interest
     */
    int interest();

    /**
     * Whether {@link #close()} has been called.
     *
     * @return whether {@link #close()} has been called
     */
    boolean isClosed();

    /** Deregisters and closes the OS handle; the listener is never called again. Idempotent. */
    @Override
    void close() throws IOException;

    /** What the transport calls when a handle is ready. */
    @FunctionalInterface
    interface ReadyListener {
        /**
         * Called on the loop thread with the ready ops, a subset of the interest.
         *
         * @param readyOps the ready ops
         */
        void ready(int readyOps);
    }
}
