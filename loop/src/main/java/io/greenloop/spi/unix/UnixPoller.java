package io.greenloop.spi.unix;

import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * What a native transport (epoll, kqueue) does for the {@link UnixHandle}s it makes: the only part of a
 * handle's life that differs between pollers is how its socket joins and leaves the kernel's set.
 * Implemented by a private class of {@link UnixTransport}, so these calls never appear on a public API.
 * Loop thread only.
 */
interface UnixPoller {

    /** The transport's name ({@code "epoll"}, {@code "kqueue"}), for error messages. */
    String name();

    /**
     * The transport's direct buffer that heap buffers are copied through: one syscall moves at most its
     * capacity, which must hold the largest UDP datagram (65,507 bytes). One per transport, which the
     * loop-thread rule makes safe to share. Every connection of the loop uses it, so it has no state between
     * uses: each user addresses it by absolute index within its capacity (Netty's socket calls take the
     * range), and none moves its position or limit.
     */
    ByteBuffer scratch();

    /**
     * Makes the kernel watch the handle's socket for both ops, edge-triggered; called once per handle,
     * when its state first means something (see {@link UnixHandle#register()}).
     */
    void register(UnixHandle handle) throws IOException;

    /** Queues a handle (not yet queued) whose new interest meets readiness it already holds, for the next dispatch. */
    void reportSoon(UnixHandle handle);

    /**
     * Drops a closing handle from the transport's tables, and from the kernel's set where closing the fd
     * alone would not; {@code registered} says whether {@link #register(UnixHandle)} was called for it.
     * The handle closes its socket right after.
     */
    void forget(UnixHandle handle, boolean registered);

    /** Wraps a connection that a listener accepted (a non-blocking fd) in a stream handle, registered at once. */
    UnixStreamHandle adoptAccepted(int fd) throws IOException;

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code position} on a connected socket with
     * {@code sendfile(2)}: bytes sent, 0 when the send buffer is full.
     */
    long sendFile(Socket socket, FileChannel file, long position, long count) throws IOException;

    /** Sets {@code SO_BUSY_POLL} on a socket of this transport, in microseconds; Linux's (epoll's) only. */
    void setBusyPoll(Socket socket, int micros) throws IOException;

    /** Reads {@code SO_BUSY_POLL} back, in microseconds; Linux's (epoll's) only. */
    int busyPoll(Socket socket) throws IOException;
}
