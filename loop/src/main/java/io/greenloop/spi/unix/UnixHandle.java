package io.greenloop.spi.unix;

import io.greenloop.spi.IoHandle;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Objects;

/**
 * What the native transports' handles share: a non-blocking Netty {@link Socket}, the interest, the
 * listener, and the edge-triggered memory of readiness. Only joining and leaving the kernel's set
 * differs between epoll and kqueue, and that is the {@link UnixPoller}'s part.
 *
 * <p>State of the readiness, per op: set when a wait reports the op (or an error or hang-up,
 * {@link #markReady(int)}); cleared when the op returns {@code EAGAIN}, and for a stream socket when a
 * read returns fewer bytes than it asked for (it drained the receive queue, as Netty's edge-triggered
 * {@code maybeMoreDataToRead} assumes), unless an error or hang-up was reported (end of stream or the
 * error would then bring no new edge); never cleared otherwise, so a set bit means "may be ready" and a
 * clear bit means "the kernel will report the next change". That is why an edge-triggered poller loses
 * nothing: after {@code EAGAIN} or a draining read, new data or buffer space is a new edge, and until
 * then the handle still holds the bit. Loop thread only.
 */
public abstract sealed class UnixHandle implements IoHandle permits UnixStreamHandle, UnixListenerHandle, UnixDatagramHandle {

    private static final ReadyListener NOBODY = readyOps -> { };

    final UnixPoller poller;
    final Socket socket;
    private final int fd;
    /** The poller's tag for this socket (kqueue puts it in {@code udata} to tell stale events apart). */
    private long id;
    /** The ops the kernel reported and no {@code EAGAIN} has cancelled since. */
    private int readiness;
    /** Whether an error or hang-up was reported ({@link UnixTransport#HUNG_UP}): from then on a short read proves nothing. */
    private boolean hungUp;
    /** Whether the transport holds it in its ready or pending list (so it is reported once). */
    private boolean queued;
    private ReadyListener listener = NOBODY;
    private int interest;
    private boolean registered;
    private boolean closed;

    UnixHandle(UnixPoller poller, Socket socket) {
        this.poller = poller;
        this.socket = socket;
        this.fd = socket.intValue();
    }

    /**
     * The socket's fd number, which the transport indexes its handles by.
     *
     * @return the socket's fd number, which the transport indexes its handles by
     */
    public final int fd() {
        return fd;
    }

    /**
     * The tag the poller gave this handle with {@link #id(long)}; 0 until then.
     *
     * @return the tag the poller gave this handle with {@link #id(long)}; 0 until then
     */
    public final long id() {
        return id;
    }

    /** Tags the handle, when the transport adopts it, so that its events can be told from a closed socket's. */
    final void id(long id) {
        this.id = id;
    }

    /** The ops the kernel reported and no {@code EAGAIN} has cancelled since; for the transport's diagnostics and tests. */
    final int readiness() {
        return readiness;
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
        if ((readiness & ops) != 0 && !queued) {
            queued = true;
            poller.reportSoon(this);  // an edge that came while nobody listened must not be lost
        }
    }

    @Override
    public final int interest() {
        return interest;
    }

    /**
     * Records ops that a wait reported for this socket. Returns {@code true} when the transport must now add
     * the handle to its ready list: it is interested in one of its ready ops and is not listed yet (from
     * here until {@link #fire()} it counts as listed).
     */
    final boolean markReady(int ops) {
        if ((ops & UnixTransport.HUNG_UP) != 0) {
            hungUp = true;
        }
        readiness |= ops & (READ | WRITE);
        if (!queued && (readiness & interest) != 0) {
            queued = true;
            return true;
        }
        return false;
    }

    /**
     * Takes the handle off the ready list and calls its listener with the ready ops it is interested in;
     * called by the transport's {@code dispatch()}. A listener that sets interest again queues it anew.
     */
    final void fire() {
        queued = false;
        int ops = readiness & interest;
        if (ops != 0 && !closed) {
            listener.ready(ops);
        }
    }

    /** Joins the poller's set ({@link UnixPoller#register(UnixHandle)}); later calls, or calls once closed, do nothing. */
    final void register() throws IOException {
        if (!registered && !closed) {
            poller.register(this);
            registered = true;
        }
    }

    /** Whether {@code op} may be ready: reported and not cancelled since by {@code EAGAIN} or a draining read. */
    final boolean mayBeReady(int op) {
        return (readiness & op) != 0;
    }

    /** Records that {@code op} returned {@code EAGAIN}: the next report of it needs a new edge. */
    final void wouldBlock(int op) {
        readiness &= ~op;
    }

    /** Throws {@link ClosedChannelException} once closed, as NIO channels do. */
    final void checkOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    /** Sets a socket option on this handle's open socket ({@link UnixSocketOptions}): streams and listeners. */
    final <T> void setSocketOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(value, "value");
        checkOpen();
        UnixSocketOptions.set(socket, option, value, poller);
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
        poller.forget(this, registered);
        socket.close();  // on kqueue this also removes the socket's filters
    }

    /**
     * Closes the handle but not its socket, which leaves this poller's set and this transport's tables so
     * that another transport can adopt it; returns the fd, now the caller's to adopt or close.
     */
    final int detachFd() throws IOException {
        checkOpen();
        closed = true;
        interest = 0;
        listener = NOBODY;
        poller.forget(this, registered);
        return fd;
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
        int asked;
        try {
            if (dst.isDirect()) {
                asked = limit - position;
                n = socket.read(dst, position, limit);
                if (n > 0) {
                    dst.position(position + n);
                }
            } else {
                ByteBuffer scratch = poller.scratch();
                asked = Math.min(limit - position, scratch.capacity());
                n = socket.read(scratch, 0, asked);
                if (n > 0) {
                    dst.put(position, scratch, 0, n).position(position + n);
                }
            }
        } catch (Errors.NativeIoException e) {
            throw socketException(e);
        }
        if (n == 0 || (n > 0 && n < asked && !hungUp)) {
            wouldBlock(READ);  // a short read of a TCP stream took all there was: the next byte is a new edge
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
                ByteBuffer scratch = poller.scratch();
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
        return getClass().getSimpleName() + "[" + poller.name() + ", fd " + fd + (closed ? ", closed" : "")
                + ", interest " + interest + ", readiness " + readiness + "]";
    }
}
