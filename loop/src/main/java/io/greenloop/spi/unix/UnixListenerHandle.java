package io.greenloop.spi.unix;

import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.util.Objects;

/**
 * A TCP listener on a non-blocking {@link Socket}; {@link #READ} means a connection can be accepted.
 * It joins the poller's set once it listens (before that epoll would report {@code EPOLLHUP} for it).
 */
final class UnixListenerHandle extends UnixHandle implements ListenerHandle {

    /** The backlog when the caller asks for none (0 or less), as {@code ServerSocketChannel} does. */
    private static final int DEFAULT_BACKLOG = 50;
    /**
     * Room for the peer address that {@code accept}/{@code accept4} reports (Netty's layout: length byte,
     * IPv6 address, scope, port).
     */
    private static final int ACCEPTED_ADDRESS_BYTES = 26;

    private final byte[] acceptedAddress = new byte[ACCEPTED_ADDRESS_BYTES];

    /** Wraps a new non-blocking TCP socket, registered once {@link #bind} has made it listen. */
    UnixListenerHandle(UnixPoller poller, Socket socket) {
        super(poller, socket);
    }

    @Override
    public void bind(InetSocketAddress address, int backlog, boolean reusePort) throws IOException {
        Objects.requireNonNull(address, "address");
        checkOpen();
        socket.setReuseAddress(true);
        if (reusePort) {
            socket.setReusePort(true);
        }
        try {
            socket.bind(resolved(address));
        } catch (IOException e) {
            throw (BindException) new BindException("could not bind a TCP listener to " + address + ": " + e.getMessage()).initCause(e);
        }
        socket.listen(backlog < 1 ? DEFAULT_BACKLOG : backlog);
        register();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        setSocketOption(option, value);
    }

    @Override
    public StreamHandle accept() throws IOException {
        checkOpen();
        int accepted = socket.accept(acceptedAddress);
        if (accepted < 0) {
            wouldBlock(READ);
            return null;
        }
        return poller.adoptAccepted(accepted);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        checkOpen();
        return boundOrNull(socket.localAddress());
    }
}
