package io.greenloop.kqueue;

import io.greenloop.spi.IoHandle;
import io.netty.channel.unix.Errors;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;

/**
 * What the three kqueue handles share: the socket, its id (the {@code udata} of its kevents), the
 * interest, the listener, and the edge-triggered memory of readiness (see {@link KqueueTransport}).
 *
 * <p>State of {@link #readiness}, per op: set when a wait reports the op (or an error or hang-up);
 * cleared when the op returns {@code EAGAIN} ({@link #wouldBlock(int)}); never cleared otherwise, so a
 * set bit means "may be ready" and a clear bit means "the kernel will report the next change".
 * Loop thread only.
 */
abstract sealed class KqueueHandle implements IoHandle permits KqueueStreamHandle, KqueueListenerHandle, KqueueDatagramHandle {

    private static final ReadyListener NOBODY = readyOps -> { };

    final KqueueTransport transport;
    final KqueueSocket socket;
    final int fd;
    /** Set by the transport when it adopts the handle; tags its kevents so that stale ones are told apart. */
    long id;
    /** The ops the kernel reported and no {@code EAGAIN} has cancelled since. */
    int readiness;
    /** Whether the transport holds it in its ready or pending list (so it is reported once). */
    boolean queued;
    private ReadyListener listener = NOBODY;
    private int interest;
    private boolean registered;
    private boolean closed;

    KqueueHandle(KqueueTransport transport, KqueueSocket socket) {
        this.transport = transport;
        this.socket = socket;
        this.fd = socket.intValue();
    }

    @Override
    public final void listener(ReadyListener listener) {
        this.listener = listener == null ? NOBODY : listener;
    }

    @Override
    public final void interest(int ops) {
        if ((ops & ~(READ | WRITE)) != 0) {
            throw new IllegalArgumentException("interest must combine IoHandle.READ (1) and IoHandle.WRITE (2), not " + ops);
        }
        if (closed) {
            return;
        }
        interest = ops;
        if ((readiness & ops) != 0) {
            transport.reportSoon(this);  // an edge that came while nobody listened must not be lost
        }
    }

    @Override
    public final int interest() {
        return interest;
    }

    /** Queues the socket's filters for the kqueue (sent with the next wait); later calls do nothing. */
    final void register() {
        if (!registered && !closed) {
            transport.register(this);
            registered = true;
        }
    }

    /** Records that {@code op} returned {@code EAGAIN}: the next report of it needs a new edge. */
    final void wouldBlock(int op) {
        readiness &= ~op;
    }

    /** Calls the listener with the ready ops it is interested in; called by {@link KqueueTransport#dispatch()}. */
    final void fire() {
        int ops = readiness & interest;
        if (ops != 0 && !closed) {
            listener.ready(ops);
        }
    }

    /** Throws {@link ClosedChannelException} once closed, as NIO channels do. */
    final void checkOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public final boolean isClosed() {
        return closed;
    }

    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        interest = 0;
        listener = NOBODY;
        transport.forget(this);
        socket.close();  // removes its filters from the kqueue too
    }

    /** Reads into {@code dst} from its position: bytes read, 0 if it would block, -1 at end of stream. */
    final int readInto(ByteBuffer dst) throws IOException {
        int position = dst.position();
        int limit = dst.limit();
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("cannot read into a read-only buffer");
        }
        if (position >= limit) {
            return 0;
        }
        int n;
        try {
            if (dst.isDirect()) {
                n = socket.read(dst, position, limit);
                if (n > 0) {
                    dst.position(position + n);
                }
            } else {
                ByteBuffer scratch = transport.scratch;
                n = socket.read(scratch, 0, Math.min(limit - position, scratch.capacity()));
                if (n > 0) {
                    dst.put(position, scratch, 0, n).position(position + n);
                }
            }
        } catch (Errors.NativeIoException e) {
            throw socketException(e);
        }
        if (n == 0) {
            wouldBlock(READ);
        }
        return n;
    }

    /** Writes from {@code src}'s position: bytes written, 0 if the send buffer is full. */
    final int writeFrom(ByteBuffer src) throws IOException {
        int position = src.position();
        int limit = src.limit();
        if (position >= limit) {
            return 0;
        }
        int n;
        try {
            if (src.isDirect()) {
                n = socket.write(src, position, limit);
            } else {
                ByteBuffer scratch = transport.scratch;
                int length = Math.min(limit - position, scratch.capacity());
                scratch.put(0, src, position, length);
                n = socket.write(scratch, 0, length);
            }
        } catch (Errors.NativeIoException e) {
            throw socketException(e);
        }
        if (n > 0) {
            src.position(position + n);
        } else {
            wouldBlock(WRITE);
        }
        return n;
    }

    /**
     * A failed socket call as the {@link SocketException} that {@code java.net} and NIO throw for the same
     * errno (a reset, a broken pipe), keeping Netty's message, which names the call and the errno.
     */
    static SocketException socketException(Errors.NativeIoException e) {
        return (SocketException) new SocketException(e.getMessage()).initCause(e);
    }

    /** The address, refusing an unresolved one the way NIO does. */
    static InetSocketAddress resolved(InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return address;
    }

    /** A socket address, or {@code null} when it names no port (the socket is not bound or not connected). */
    static InetSocketAddress boundOrNull(InetSocketAddress address) {
        return address == null || address.getPort() == 0 ? null : address;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd " + fd + (closed ? ", closed" : "") + ", interest " + interest
                + ", readiness " + readiness + "]";
    }
}
