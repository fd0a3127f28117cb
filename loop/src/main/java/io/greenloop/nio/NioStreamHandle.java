package io.greenloop.nio;

import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.StreamHandle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A TCP connection on a non-blocking {@link SocketChannel}; {@link #WRITE} means OP_CONNECT while connecting. */
final class NioStreamHandle extends NioHandle implements StreamHandle {

    private final SocketChannel channel;

    NioStreamHandle(SelectionKey key) {
        super(key);
        this.channel = (SocketChannel) key.channel();
    }

    @Override
    int selectionOps(int ops) {
        int selection = (ops & READ) != 0 ? SelectionKey.OP_READ : 0;
        if ((ops & WRITE) != 0) {
            selection |= channel.isConnectionPending() ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
        }
        return selection;
    }

    @Override
    public boolean connect(InetSocketAddress remote) throws IOException {
        boolean connected = channel.connect(remote);
        refreshInterest();
        return connected;
    }

    @Override
    public boolean finishConnect() throws IOException {
        boolean connected = channel.finishConnect();
        refreshInterest();
        return connected;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return channel.write(srcs, offset, length);
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        // On Linux and macOS the JDK sends this with sendfile(2); a full send buffer transfers 0.
        return file.transferTo(position, count, channel);
    }

    @Override
    public DetachedStream detach() {
        markDetached();
        return new NioDetachedStream(channel);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
    }

    @Override
    public <T> T option(SocketOption<T> option) throws IOException {
        if (!channel.supportedOptions().contains(option)) {
            throw new UnsupportedOperationException("the nio transport does not support the socket option " + option.name()
                    + "; it supports " + channel.supportedOptions());
        }
        return channel.getOption(option);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return (InetSocketAddress) channel.getRemoteAddress();
    }
}
