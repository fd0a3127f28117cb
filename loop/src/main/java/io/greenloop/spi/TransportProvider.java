package io.greenloop.spi;

/**
 * Makes {@link Transport}s of one kind. Found with {@link java.util.ServiceLoader}; a transport module
 * lists its provider in {@code META-INF/services/io.greenloop.spi.TransportProvider}. Thread-safe.
 */
public interface TransportProvider {

    /** The transport's name, as {@code Loop.open(name)} takes it. */
    String name();

    /** Preference when {@code Loop.open()} chooses: the highest available wins (nio is 0, native ones higher). */
    int priority();

    /** Whether this transport works on this machine (its native library loaded, the OS supports it). */
    boolean isAvailable();

    /** Why {@link #isAvailable()} is false, or {@code null} when it is available. */
    Throwable unavailabilityCause();

    /**
     * Whether this transport is made for this operating system at all (kqueue is not, on Linux): when it
     * is not, its absence is expected and {@code Loop.open()} does not log it.
     */
    default boolean isForThisOperatingSystem() {
        return true;
    }

    /** Creates a transport for one loop; called on the thread that will own it. */
    Transport create() throws java.io.IOException;
}
