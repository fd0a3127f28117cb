package io.greenloop.nio;

import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A TCP listener on a non-blocking {@link ServerSocketChannel}; {@link #READ} means OP_ACCEPT. */
final class NioListenerHandle extends NioHandle implements ListenerHandle {

    private final ServerSocketChannel channel;
    private final NioTransport transport;

    NioListenerHandle(SelectionKey key, NioTransport transport) {
        super(key);
        this.channel = (ServerSocketChannel) key.channel();
        this.transport = transport;
    }

    @Override
    int selectionOps(int ops) {
        return (ops & READ) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public void bind(InetSocketAddress address, int backlog, boolean reusePort) throws IOException {
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (reusePort) {
            if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this OS by the nio transport");
            }
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        channel.bind(address, backlog);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        if (!channel.supportedOptions().contains(option)) {
            throw new UnsupportedOperationException("the nio transport does not support the socket option " + option.name()
                    + " on a listener; it supports " + channel.supportedOptions());
        }
        channel.setOption(option, value);
    }

    @Override
    public StreamHandle accept() throws IOException {
        SocketChannel accepted = channel.accept();
        return accepted == null ? null : new NioStreamHandle(transport.register(accepted), transport);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }
}
