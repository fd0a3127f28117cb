package io.greenloop.spi;

import java.io.IOException;
import java.net.ProtocolFamily;

/**
 * The one seam between a loop and the operating system: readiness polling, a cross-thread wake-up,
 * and non-blocking sockets whose readiness it reports.
 *
 * <p>Thread rule: every method except {@link #wakeup()} must be called on the loop thread that owns
 * the transport. Handles it creates follow the same rule.
 *
 * <p>Readiness rules every transport keeps (the conformance suite tests them):
 * <ul>
 *   <li>an interest change made with {@link IoHandle#interest(int)} takes effect before the next
 *       {@link #poll(long)};</li>
 *   <li>{@link #dispatch()} reports only ops in the handle's current interest, each ready handle once;</li>
 *   <li>an error or hang-up on a handle is reported as both {@link IoHandle#READ} and {@link IoHandle#WRITE},
 *       so that every waiter wakes and sees the error from its own read or write;</li>
 *   <li>a handle closed during dispatch gets no further callback;</li>
 *   <li>readiness is never lost: a handle that became ready while nobody was interested is reported
 *       once interest is set again (edge-triggered transports must remember it).</li>
 * </ul>
 */
public interface Transport extends AutoCloseable {

    /**
     * The short name users pass to {@code Loop.open(name)}: {@code "nio"}, {@code "epoll"}, {@code "kqueue"}.
     *
     * @return the short name users pass to {@code Loop.open(name)}
     */
    String name();

    /**
     * Waits for readiness or a {@link #wakeup()}: {@code timeoutNanos} 0 returns at once, a negative
     * value waits without limit. Returns how many handles are ready for {@link #dispatch()}.
     *
     * @param timeoutNanos how long to wait at most: 0 does not wait, a negative value waits without limit
     * @return how many handles are ready for {@link #dispatch()}
     * @throws IOException if the operation fails; the message says what failed
     */
    int poll(long timeoutNanos) throws IOException;

    /** Calls the listener of every handle the last {@link #poll(long)} found ready, once each. */
    void dispatch();

    /**
     * Makes a {@link #poll(long)} in progress, or the next one, return soon. The only method that may
     * be called from any thread; calls that come while a wake-up is already pending may be coalesced.
     */
    void wakeup();

    /**
     * Opens an unconnected non-blocking TCP socket of the given family, registered with this transport.
     *
     * @param family the protocol family ({@code INET} or {@code INET6})
     * @return the new handle
     * @throws IOException if the operation fails; the message says what failed
     */
    StreamHandle openStream(ProtocolFamily family) throws IOException;

    /**
     * Opens an unbound non-blocking TCP listening socket of the given family.
     *
     * @param family the protocol family ({@code INET} or {@code INET6})
     * @return the new handle
     * @throws IOException if the operation fails; the message says what failed
     */
    ListenerHandle openListener(ProtocolFamily family) throws IOException;

    /**
     * Opens an unbound non-blocking UDP socket of the given family.
     *
     * @param family the protocol family ({@code INET} or {@code INET6})
     * @return the new handle
     * @throws IOException if the operation fails; the message says what failed
     */
    DatagramHandle openDatagram(ProtocolFamily family) throws IOException;

    /**
     * Registers a socket that another loop's transport of the same kind {@linkplain StreamHandle#detach()
     * detached}, as a connected stream handle of this one; a socket from another kind of transport throws
     * {@link IllegalArgumentException}.
     *
     * @param detached what {@link StreamHandle#detach()} returned on the other loop
     * @return a connected stream handle of this transport
     * @throws IOException if the operation fails; the message says what failed
     */
    StreamHandle adoptStream(DetachedStream detached) throws IOException;

    /**
     * How many handles (sockets) are open on this transport now, for a report of what {@link #close()} closed; a
     * transport that does not keep count answers -1.
     *
     * @return the number of open handles, or -1 when unknown
     */
    default int openHandles() {
        return -1;
    }

    /** Closes the poller and its wake-up; handles still open are closed with it. */
    @Override
    void close();
}
