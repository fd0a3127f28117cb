package io.greenloop.spi.unix;

import io.greenloop.spi.StreamHandle;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A TCP connection on a non-blocking {@link Socket}. It joins the poller's set when it starts
 * connecting (or, accepted, when it is made): before that its state means nothing to a waiter, and
 * epoll would even report {@code EPOLLHUP}, which would leave a stale hang-up in its readiness.
 */
final class UnixStreamHandle extends UnixHandle implements StreamHandle {

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
    public void shutdownOutput() throws IOException {
        checkOpen();
        socket.shutdown(false, true);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(value, "value");
        checkOpen();
        UnixSocketOptions.set(socket, option, value, poller.name());
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
