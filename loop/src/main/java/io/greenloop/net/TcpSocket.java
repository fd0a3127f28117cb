package io.greenloop.net;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Loop;
import io.greenloop.internal.Deadline;
import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.StreamHandle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A TCP connection on its loop's transport, gevent's cooperative socket: {@link #read} and
 * {@link #write} try the non-blocking socket first and park the calling greenlet only when the OS says
 * it would block, so a greenlet per connection reads like blocking code while the loop runs the others.
 * On the loop's owner thread outside greenlets they drive the loop instead. {@code TCP_NODELAY} is on.
 *
 * <p>Thread rule: every method on the loop that made it (its owner thread or its greenlets); from any
 * other thread they throw {@link IllegalStateException} naming the owner. One greenlet may read while
 * another writes; a second concurrent reader (or writer) gets an {@link IllegalStateException}.
 */
public final class TcpSocket implements AutoCloseable {

    private final SocketCore<StreamHandle> core;
    private InetSocketAddress localAddress;
    private InetSocketAddress remoteAddress;
    private InputStream inputStream;
    private OutputStream outputStream;
    private boolean outputShutdown;
    /** The server that accepted it (null: none), so that a {@link #handOff} still names it in log lines. */
    private Object acceptedBy;

    private TcpSocket(SocketCore<StreamHandle> core) {
        this.core = core;
    }

    /** Wraps a connected handle (from connect or accept), turning {@code TCP_NODELAY} on. */
    static TcpSocket connected(Loop loop, StreamHandle handle) throws IOException {
        try {
            handle.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
        return new TcpSocket(new SocketCore<>(loop, handle, "TcpSocket"));
    }

    /**
     * Connects to {@code host}:{@code port} from the calling thread's loop, waiting without a timeout,
     * as Python's {@code socket.create_connection}: tries every address the name resolves to, in order,
     * until one connects. When none does, the exception names each address tried and why it failed
     * ({@link ConnectException} when every one refused or reset).
     *
     * @param host a host name or address literal
     * @param port the TCP port
     * @return the connected socket
     * @throws IOException if the operation fails; the message says what failed
     */
    public static TcpSocket connect(String host, int port) throws IOException {
        Objects.requireNonNull(host, "host");
        checkPort(port);
        return connectToFirst(host, resolveAll(host), port);
    }

    /** Tries {@code addresses} in order; the first that connects wins, else one exception names them all. */
    static TcpSocket connectToFirst(String host, List<InetAddress> addresses, int port) throws IOException {
        List<IOException> failures = new ArrayList<>(addresses.size());
        for (InetAddress address : addresses) {
            try {
                return connect(new InetSocketAddress(address, port), null);
            } catch (IOException e) {
                failures.add(e);
            }
        }
        if (failures.size() == 1) {
            throw failures.getFirst();
        }
        StringBuilder message = new StringBuilder("connecting to " + host + ":" + port + " failed on each of its "
                + addresses.size() + " addresses:");
        boolean allRefused = true;
        for (IOException failure : failures) {
            message.append(" [").append(failure.getMessage()).append(']');
            allRefused &= failure instanceof ConnectException;
        }
        IOException all = allRefused ? new ConnectException(message.toString()) : new IOException(message.toString());
        failures.forEach(all::addSuppressed);
        throw all;
    }

    /**
     * Connects to {@code address} from the calling thread's loop, parking until the connection is made;
     * refused throws {@link ConnectException}, no answer within {@code timeout} ({@code null}: the OS's
     * limit) throws {@link SocketTimeoutException}. A timeout of zero or less does not wait: the connection
     * must be made by the connect call itself, else it times out at once (a TCP handshake takes a round trip,
     * so even on loopback it usually times out).
     *
     * @param address where to connect
     * @param timeout how long to wait at most; {@code null}: no limit
     * @return the connected socket
     * @throws IOException if the operation fails; the message says what failed
     */
    public static TcpSocket connect(InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(address, "address");
        InetSocketAddress target = address.isUnresolved()
                ? new InetSocketAddress(resolve(address.getHostString()), address.getPort()) : address;
        Loop loop = Loop.current();
        TcpSocket socket = connected(loop, LowLevel.transportOf(loop).openStream(familyOf(target.getAddress())));
        boolean done = false;
        try {
            socket.finishConnecting(target, timeout);
            done = true;
            return socket;
        } finally {
            if (!done) {
                socket.close();
            }
        }
    }

    private void finishConnecting(InetSocketAddress target, Duration timeout) throws IOException {
        StreamHandle handle = core.handle;
        Deadline deadline = Deadline.after(timeout);
        try {
            if (handle.connect(target)) {
                return;
            }
            do {
                core.await(IoHandle.WRITE, deadline, "TcpSocket.connect");
            } while (!handle.finishConnect());
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("connecting to " + target + " timed out " + Deadline.waited(timeout));
        } catch (SocketException e) {
            // Refused, or reset while the handshake was in flight (a listener closing with connections queued):
            // either way no connection was made, which is what ConnectException says.
            ConnectException named = new ConnectException("connecting to " + target + " failed: " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    /**
     * Resolves a host for connect: an IP literal at once, a name through {@link Dns}, which looks it up
     * off the loop while the caller parks.
     */
    static InetAddress resolve(String host) throws UnknownHostException {
        return resolveAll(host).getFirst();
    }

    /** Every address of {@code host}, in the resolver's order: an IP literal at once, a name through {@link Dns}. */
    static List<InetAddress> resolveAll(String host) throws UnknownHostException {
        try {
            return List.of(InetAddress.ofLiteral(host));
        } catch (IllegalArgumentException notALiteral) {
            return Dns.getAllByName(host);
        }
    }

    static StandardProtocolFamily familyOf(InetAddress address) {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    static int checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port + " is out of range; use 0 to 65535");
        }
        return port;
    }

    /**
     * Reads into {@code dst} from its position, parking until at least one byte is there; returns the
     * count, or -1 at end of stream (0 only when {@code dst} is full). Heap and direct buffers both work.
     *
     * @param dst where the bytes go, from its position up to its limit
     * @return the bytes read, or -1 at end of stream
     * @throws IOException if the operation fails; the message says what failed
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return read(dst, core.deadline(), "TcpSocket.read");
    }

    /**
     * {@link #read(ByteBuffer)} parking until {@code deadline} at most ({@link Deadline#NONE}: no limit):
     * {@link TlsSocket} times one TLS operation across several reads and writes of this socket.
     */
    int read(ByteBuffer dst, Deadline deadline, String operation) throws IOException {
        StreamHandle handle = core.checkedHandle(IoHandle.READ, operation);
        if (!dst.hasRemaining()) {
            return 0;
        }
        // After a read that drained the socket, wait for readiness first: trying would only cost a read that returns 0.
        // A caller that may not wait tries once all the same: data may have come that no poll has reported yet.
        int n = handle.mayBeReadable() || deadline.passed() ? handle.read(dst) : 0;
        while (n == 0) {
            core.await(IoHandle.READ, deadline, operation);
            n = handle.read(dst);
        }
        return n;
    }

    /**
     * Parks until a read would find something (bytes, the end of the stream, or a failure) without reading it,
     * so that a caller can wait for a peer's next message before it takes a buffer to read it into; returns at
     * once when a read may find bytes already (the last one did not drain the socket, or readiness was reported
     * since). Like {@code poll(2)} it may return when a read would still find nothing (the last read happened to
     * fill its buffer exactly): a read then parks as usual. The socket's timeout ({@link #setTimeout}) bounds the
     * wait: {@link SocketTimeoutException}. Counts as this socket's reader while it waits.
     *
     * @throws IOException if the socket is closed (before or during the wait) or the wait timed out
     */
    public void waitReadable() throws IOException {
        waitReadable(core.deadline(), "TcpSocket.waitReadable");
    }

    /** {@link #waitReadable()} parking until {@code deadline} at most, for {@link TlsSocket} as {@link #read(ByteBuffer, Deadline, String)}. */
    void waitReadable(Deadline deadline, String operation) throws IOException {
        StreamHandle handle = core.checkedHandleToWait(IoHandle.READ, operation);
        if (!handle.mayBeReadable()) {
            core.await(IoHandle.READ, deadline, operation);
        }
    }

    /**
     * Reads up to {@code len} bytes into {@code b} at {@code off}, parking until some arrive; -1 at end of stream.
     *
     * @param b the bytes
     * @param off where in {@code b} the bytes start
     * @param len how many bytes at most
     * @return the bytes read, or -1 at end of stream
     * @throws IOException if the operation fails; the message says what failed
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Writes all of {@code src} from its position, parking whenever the send buffer is full.
     *
     * @param src the bytes to write, from its position to its limit
     * @throws IOException if the operation fails; the message says what failed
     */
    public void write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        write(src, core.deadline(), "TcpSocket.write");
    }

    /** {@link #write(ByteBuffer)} parking until {@code deadline} at most, for {@link TlsSocket} as {@link #read(ByteBuffer, Deadline, String)}. */
    void write(ByteBuffer src, Deadline deadline, String operation) throws IOException {
        StreamHandle handle = checkedHandleToWrite(operation);
        while (src.hasRemaining()) {
            if (handle.write(src) == 0) {
                core.await(IoHandle.WRITE, deadline, operation);
            }
        }
    }

    /**
     * The handle for a write ({@link SocketCore#checkedHandle(int, String)}); after {@link #shutdownOutput()} every write is refused here,
     * with the same {@link SocketException} on every transport (the kernel's answer differs: EPIPE, or NIO's
     * {@code AsynchronousCloseException}).
     */
    private StreamHandle checkedHandleToWrite(String operation) throws SocketException {
        StreamHandle handle = core.checkedHandle(IoHandle.WRITE, operation);
        if (outputShutdown) {
            throw new SocketException(operation + ": the output is shut down (shutdownOutput was called);"
                    + " this socket can still read, but no longer write");
        }
        return handle;
    }

    /**
     * Writes {@code len} bytes of {@code b} from {@code off}, parking whenever the send buffer is full.
     *
     * @param b the bytes
     * @param off where in {@code b} the bytes start
     * @param len how many bytes at most
     * @throws IOException if the operation fails; the message says what failed
     */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
        write(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Writes all of {@code srcs}, in order, each from its position, in as few system calls as the transport
     * can ({@code writev(2)} on epoll and kqueue, a gathering channel write on nio), parking whenever the
     * send buffer is full; a timeout counts from the first wait, as for {@link #write(ByteBuffer)}.
     *
     * @param srcs the buffers to write, in order, each from its position to its limit
     * @throws IOException if the operation fails; the message says what failed
     */
    public void write(ByteBuffer... srcs) throws IOException {
        Objects.requireNonNull(srcs, "srcs");
        for (int i = 0; i < srcs.length; i++) {
            Objects.requireNonNull(srcs[i], "srcs[" + i + "]");
        }
        StreamHandle handle = checkedHandleToWrite("TcpSocket.write");
        Deadline deadline = null;  // the timeout counts from the first wait
        int first = 0;
        while (true) {
            while (first < srcs.length && !srcs[first].hasRemaining()) {
                first++;
            }
            if (first == srcs.length) {
                return;
            }
            if (handle.write(srcs, first, srcs.length - first) == 0) {
                if (deadline == null) {
                    deadline = core.deadline();
                }
                core.await(IoHandle.WRITE, deadline, "TcpSocket.write");
            }
        }
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code position} (fewer when the file ends first), with
     * {@code sendfile(2)} where the transport can, so the bytes never pass through the Java heap; parks
     * whenever the send buffer is full. Returns the bytes sent. The file's own position is not changed.
     *
     * @param file the file
     * @param position where in the file to start
     * @param count how many
     * @return the bytes sent
     * @throws IOException if the operation fails; the message says what failed
     */
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        Objects.requireNonNull(file, "file");
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("position " + position + " and count " + count + " must not be negative");
        }
        StreamHandle handle = checkedHandleToWrite("TcpSocket.transferFrom");
        long total = Math.max(0, Math.min(count, file.size() - position));
        long sent = 0;
        Deadline deadline = null;  // the timeout counts from the first wait
        while (sent < total) {
            long n = handle.transferFrom(file, position + sent, total - sent);
            if (n > 0) {
                sent += n;
                continue;
            }
            if (deadline == null) {
                deadline = core.deadline();
            }
            core.await(IoHandle.WRITE, deadline, "TcpSocket.transferFrom");
        }
        return sent;
    }

    /**
     * Moves this connection to {@code target}, a loop on the same transport, and runs {@code handler} with it
     * there in a new greenlet, which closes it when the handler returns; this object is closed at once
     * (unless {@code target} is its own loop, where it is the handler's socket). As on a server, a connection the
     * peer ends (a reset, a broken pipe, ...) is one DEBUG line on "io.greenloop.StreamServer", and a handler's own
     * exception goes to {@code target}'s error handler. Returns without waiting; never refused for {@code target}'s
     * bound on pending callbacks, only when {@code target} is closed
     * ({@link java.util.concurrent.RejectedExecutionException}, and the connection is closed). A
     * {@link GroupServer} served through one acceptor thread moves its connections to the loops the same way.
     *
     * @param target the loop to serve it on
     * @param handler serves the connection there, in a new greenlet
     * @throws IOException if the operation fails; the message says what failed
     */
    public void handOff(Loop target, StreamServer.Handler handler) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(handler, "handler");
        InetSocketAddress peer = remoteAddressForHandOff();
        Object server = acceptedBy;
        moveTo(target, socket -> target.spawn(new ServedConnection(server, socket, peer, handler, null, null)));
    }

    /** The peer's address, once checked that this socket can be handed off (this loop's, open, nobody parked on it). */
    InetSocketAddress remoteAddressForHandOff() throws IOException {
        core.checkedHandle(IoHandle.READ, "TcpSocket.handOff");
        core.checkedHandle(IoHandle.WRITE, "TcpSocket.handOff");
        return remoteAddress();
    }

    /**
     * Moves this connection to {@code target} and runs {@code adopted} there with it, soon, as a callback; on this
     * loop itself, now and with this object (a selector cannot re-adopt its own channel). Elsewhere this object is
     * closed at once; when {@code target} is closed ({@link java.util.concurrent.RejectedExecutionException}) or
     * {@code adopted} throws, the connection is closed.
     */
    void moveTo(Loop target, Consumer<TcpSocket> adopted) throws IOException {
        if (target == core.loop) {
            adopted.accept(this);
            return;
        }
        DetachedStream detached = core.handle.detach();
        core.close();
        Object server = acceptedBy;
        try {
            LowLevel.handOff(target, () -> adoptOn(target, detached, server, adopted));
        } catch (RuntimeException e) {
            detached.close();
            throw e;
        }
    }

    /** On the target loop: adopts the moved socket and gives it to {@code adopted}, which owns it from then on. */
    private static void adoptOn(Loop target, DetachedStream detached, Object server, Consumer<TcpSocket> adopted) {
        TcpSocket socket;
        try {
            socket = new TcpSocket(new SocketCore<>(target, LowLevel.transportOf(target).adoptStream(detached), "TcpSocket"));
        } catch (IOException | RuntimeException e) {
            detached.close();
            throw new IllegalStateException("could not adopt a connection on " + target, e);
        }
        socket.acceptedBy = server;
        try {
            adopted.accept(socket);
        } catch (RuntimeException e) {
            socket.close();  // the target closed between the hand-off and now: nobody will serve it
            throw e;
        }
    }

    /** Records the server that accepted it, named in log lines wherever it is served. */
    void acceptedBy(Object server) {
        this.acceptedBy = server;
    }

    /**
     * This socket as an {@link InputStream} whose reads park like {@link #read}; closing it closes the socket.
     *
     * @return this socket as an {@link InputStream} whose reads park like {@link #read}
     */
    public InputStream inputStream() {
        LowLevel.requireLoopThread(core.loop, "TcpSocket.inputStream");
        if (inputStream == null) {
            inputStream = StreamViews.input(this::read, this::close);
        }
        return inputStream;
    }

    /**
     * This socket as an {@link OutputStream} whose writes park like {@link #write}; closing it closes the socket.
     *
     * @return this socket as an {@link OutputStream} whose writes park like {@link #write}
     */
    public OutputStream outputStream() {
        LowLevel.requireLoopThread(core.loop, "TcpSocket.outputStream");
        if (outputStream == null) {
            outputStream = StreamViews.output(this::write, this::close);
        }
        return outputStream;
    }

    /**
     * Limits each later read and write ({@code null}: no limit); one that takes longer throws
     * {@link SocketTimeoutException} and leaves the socket open (a timed-out write may have sent part).
     *
     * @param timeout how long each operation may wait; {@code null}: no limit
     */
    public void setTimeout(Duration timeout) {
        core.timeout(timeout);
    }

    /** The deadline of an operation starting now under this socket's timeout, for {@link TlsSocket}'s operations. */
    Deadline deadline() {
        return core.deadline();
    }

    /** This socket's timeout ({@code null}: none). */
    Duration timeout() {
        return core.timeout();
    }

    /**
     * Sets a socket option ({@code SO_RCVBUF}, {@code SO_LINGER}, {@code TCP_NODELAY}, ...); returns this socket.
     *
     * @param <T> the type of the value
     * @param option the option
     * @param value the value
     * @return this socket
     * @throws IOException if the operation fails; the message says what failed
     */
    public <T> TcpSocket setOption(SocketOption<T> option, T value) throws IOException {
        SocketCore.checkOption(option, value);
        core.checkedHandle("TcpSocket.setOption").setOption(option, value);
        return this;
    }

    /**
     * Reads a socket option back ({@code TCP_NODELAY}, on by default, {@code SO_RCVBUF}, {@code SO_LINGER},
     * the {@link LinuxSocketOptions} on epoll, ...); one the transport lacks throws {@link UnsupportedOperationException}.
     *
     * @param <T> the type of the value
     * @param name the option
     * @return its value
     * @throws IOException if the operation fails; the message says what failed
     */
    public <T> T option(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        return core.checkedHandle("TcpSocket.option").option(name);
    }

    /** How much this socket has done: grows with every operation and every wait that ended ready ({@link IdleWatch}). */
    long activity() {
        return core.activity();
    }

    /**
     * Half-closes the connection: sends FIN; the peer reads end of stream, and this side can still read. A later
     * write, gathering write or {@code transferFrom} throws {@link SocketException}.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public void shutdownOutput() throws IOException {
        core.checkedHandle("TcpSocket.shutdownOutput").shutdownOutput();
        outputShutdown = true;
    }

    /**
     * The local address, or {@code null} when it is not known (closed before it was ever asked).
     *
     * @return the local address, or {@code null} when it is not known (closed before it was ever asked)
     */
    public InetSocketAddress localAddress() {
        LowLevel.requireLoopThread(core.loop, "TcpSocket.localAddress");
        return localAddress = known(localAddress, core.handle::localAddress);
    }

    /**
     * The peer's address, or {@code null} when it is not known (closed before it was ever asked).
     *
     * @return the peer's address, or {@code null} when it is not known (closed before it was ever asked)
     */
    public InetSocketAddress remoteAddress() {
        LowLevel.requireLoopThread(core.loop, "TcpSocket.remoteAddress");
        return remoteAddress = known(remoteAddress, core.handle::remoteAddress);
    }

    /** An address the handle can tell ({@code ask}), asked once and kept: {@code null} once closed before it was asked. */
    private InetSocketAddress known(InetSocketAddress kept, AddressQuery ask) {
        if (kept != null || core.isClosed()) {
            return kept;
        }
        try {
            return ask.address();
        } catch (IOException e) {
            return null;
        }
    }

    /** One of the handle's address getters. */
    @FunctionalInterface
    private interface AddressQuery {
        InetSocketAddress address() throws IOException;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return whether {@link #close()} was called
     */
    public boolean isClosed() {
        return core.isClosed();
    }

    /** The loop it belongs to. */
    Loop loop() {
        return core.loop;
    }

    /** Closes it; a greenlet parked in read or write wakes with {@code SocketException("socket closed")}. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        // Only what is known already: toString must work on any thread (loggers, debuggers, test reports).
        return "TcpSocket[" + localAddress + " -> " + remoteAddress + (core.isClosed() ? ", closed]" : "]");
    }
}
