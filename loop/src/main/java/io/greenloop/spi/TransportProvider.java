package io.greenloop.spi;

/**
 * Makes {@link Transport}s of one kind. Found with {@link java.util.ServiceLoader}; a transport module
 * lists its provider in {@code META-INF/services/io.greenloop.spi.TransportProvider}. Thread-safe.
 */
public interface TransportProvider {

    /**
     * The transport's name, as {@code Loop.open(name)} takes it.
     *
     * @return the transport's name, as {@code Loop.open(name)} takes it
     */
    String name();

    /**
     * Preference when {@code Loop.open()} chooses: the highest available wins (nio is 0, native ones higher).
     *
     * @return its preference: higher wins
     */
    int priority();

    /**
     * Whether this transport works on this machine (its native library loaded, the OS supports it).
     *
     * @return whether this transport works on this machine
     */
    boolean isAvailable();

    /**
     * Why {@link #isAvailable()} is false, or {@code null} when it is available.
     *
     * @return the cause, or {@code null}
     */
    Throwable unavailabilityCause();

    /**
     * Whether this transport is made for this operating system at all (kqueue is not, on Linux): when it
     * is not, its absence is expected and {@code Loop.open()} does not log it.
     *
     * @return whether this transport is made for this operating system at all
     */
    default boolean isForThisOperatingSystem() {
        return true;
    }

    /**
     * Creates a transport for one loop; called on the thread that will own it.
     *
     * @return the new transport
     * @throws java.io.IOException if the transport cannot be made; the message says what failed
     */
    Transport create() throws java.io.IOException;
}
