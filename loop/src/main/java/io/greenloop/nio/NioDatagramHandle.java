package io.greenloop.nio;

import io.greenloop.spi.DatagramHandle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/** A UDP socket on a non-blocking {@link DatagramChannel}. */
final class NioDatagramHandle extends NioHandle implements DatagramHandle {

    private final DatagramChannel channel;

    NioDatagramHandle(SelectionKey key) {
        super(key);
        this.channel = (DatagramChannel) key.channel();
    }

    @Override
    int selectionOps(int ops) {
        return ((ops & READ) != 0 ? SelectionKey.OP_READ : 0) | ((ops & WRITE) != 0 ? SelectionKey.OP_WRITE : 0);
    }

    @Override
    public void bind(InetSocketAddress address) throws IOException {
        channel.bind(address);
    }

    @Override
    public boolean send(ByteBuffer src, InetSocketAddress target) throws IOException {
        try {
            return channel.send(src, target) > 0 || !src.hasRemaining();
        } catch (IOException e) {
            throw asSocketFailure(e);
        }
    }

    @Override
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        try {
            return (InetSocketAddress) channel.receive(dst);
        } catch (IOException e) {
            throw asSocketFailure(e);
        }
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }
}
