package io.greenloop.spi.unix;

import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.GatheringWrites;
import io.greenloop.spi.StreamHandle;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A TCP connection on a non-blocking {@link Socket}. It joins the poller's set when it starts
 * connecting (or, accepted, when it is made): before that its state means nothing to a waiter, and
 * epoll would even report {@code EPOLLHUP}, which would leave a stale hang-up in its readiness.
 */
final class UnixStreamHandle extends UnixHandle implements StreamHandle {

    /** {@code IOV_MAX} on Linux and macOS: the most buffers one {@code writev(2)} takes. */
    private static final int IOV_MAX = 1024;

    private InetSocketAddress connectingTo;

    /**
     * Wraps a non-blocking TCP socket: a new one, which {@link #connect} registers, or an accepted one,
     * which the transport registers at once.
     */
    UnixStreamHandle(UnixPoller poller, Socket socket) {
        super(poller, socket);
    }

    @Override
    public boolean connect(InetSocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        checkOpen();
        boolean connected = socket.connect(resolved(remote));
        connectingTo = remote;
        register();  // after connect(2): from here on every state change is an edge the kernel reports
        return connected;
    }

    @Override
    public boolean finishConnect() throws IOException {
        checkOpen();
        boolean connected = socket.finishConnect();
        if (!connected) {
            wouldBlock(WRITE);
        }
        return connected;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkOpen();
        return readInto(dst);
    }

    @Override
    public boolean mayBeReadable() {
        return mayBeReady(READ);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        checkOpen();
        return writeFrom(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        checkOpen();
        int end = offset + Math.min(length, IOV_MAX);
        long n;
        try {
            int direct = GatheringWrites.directRun(srcs, offset, end);
            n = direct > 0 ? socket.writev(srcs, offset, direct, Integer.MAX_VALUE) : writeThroughScratch(srcs, offset, end);
        } catch (Errors.NativeIoException e) {
            throw socketException(e);
        }
        if (n == 0) {
            wouldBlock(WRITE);
        }
        GatheringWrites.advance(srcs, offset, end, n);
        return n;
    }

    /** From a heap buffer on, the buffers are copied into the scratch buffer and sent in one write. */
    private long writeThroughScratch(ByteBuffer[] srcs, int from, int to) throws IOException {
        ByteBuffer scratch = poller.scratch();
        int filled = GatheringWrites.copyInto(scratch, srcs, from, to);
        return filled == 0 ? 0 : socket.write(scratch, 0, filled);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        checkOpen();
        long n;
        try {
            n = poller.sendFile(socket, file, position, count);
        } catch (Errors.NativeIoException e) {
            throw socketException(e);
        }
        if (n == 0 && count > 0) {
            wouldBlock(WRITE);
        }
        return n;
    }

    @Override
    public DetachedStream detach() throws IOException {
        return new UnixDetachedStream(poller.name(), detachFd());
    }

    @Override
    public void shutdownOutput() throws IOException {
        checkOpen();
        socket.shutdown(false, true);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        setSocketOption(option, value);
    }

    @Override
    public <T> T option(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        checkOpen();
        return UnixSocketOptions.get(socket, option, poller);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        checkOpen();
        return boundOrNull(socket.localAddress());
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        checkOpen();
        InetSocketAddress connected = socket.remoteAddress();
        return connected != null ? connected : connectingTo;
    }
}
