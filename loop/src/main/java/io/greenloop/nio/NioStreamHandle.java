package io.greenloop.nio;

import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.GatheringWrites;
import io.greenloop.spi.StreamHandle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A TCP connection on a non-blocking {@link SocketChannel}; {@link #WRITE} means OP_CONNECT while connecting. */
final class NioStreamHandle extends NioHandle implements StreamHandle {

    private final SocketChannel channel;
    private final NioTransport transport;
    /** Whether the last read returned less than it asked for: the receive queue was empty after it. */
    private boolean drained;
    private boolean outputShutdown;

    NioStreamHandle(SelectionKey key, NioTransport transport) {
        super(key);
        this.channel = (SocketChannel) key.channel();
        this.transport = transport;
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

    /**
     * A short read drained the channel, so the next read waits for the selector first; it reports data
     * that is there whenever it looks (level-triggered), so nothing that arrived meanwhile is missed.
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        int asked = dst.remaining();
        int n;
        try {
            n = channel.read(dst);
        } catch (IOException e) {
            throw asSocketFailure(e);
        }
        drained = n >= 0 && n < asked;
        return n;
    }

    @Override
    public boolean mayBeReadable() {
        return !drained;
    }

    /** Readability reported since the draining read: the next read may find data (as {@link #mayBeReadable} promises). */
    @Override
    void reported(int ops) {
        if ((ops & READ) != 0) {
            drained = false;
        }
    }

    /**
     * Direct buffers go to the channel as they are; a heap buffer goes at most
     * {@link NioTransport#WRITE_SLICE_BYTES} at a time through the loop's reused direct buffer, so that one
     * call never copies (nor allocates) more than that. The caller comes back for the rest, and parks
     * when the kernel takes nothing, which lets the loop run between slices.
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            if (src.isDirect()) {
                return channel.write(src);
            }
            int length = Math.min(src.remaining(), NioTransport.WRITE_SLICE_BYTES);
            transport.writeSlice().put(0, src, src.position(), length);
            int written = transport.sendSlice(channel, length);
            src.position(src.position() + written);
            return written;
        } catch (IOException e) {
            throw writeFailure(e);
        }
    }

    /**
     * A run of direct buffers goes to the channel as it is; from a heap buffer on, the buffers are copied
     * into the loop's reused direct buffer, at most {@link NioTransport#WRITE_SLICE_BYTES} a call, as
     * {@link #write(ByteBuffer)} does (the JDK would copy each heap buffer whole into a new direct one).
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        int end = offset + length;
        try {
            int direct = GatheringWrites.directRun(srcs, offset, end);
            if (direct > 0) {
                return channel.write(srcs, offset, direct);
            }
            int filled = GatheringWrites.copyInto(transport.writeSlice(), srcs, offset, end);
            if (filled == 0) {
                return 0;
            }
            int written = transport.sendSlice(channel, filled);
            GatheringWrites.advance(srcs, offset, end, written);
            return written;
        } catch (IOException e) {
            throw writeFailure(e);
        }
    }

    @Override
    public long transferFrom(FileChannel file, long position, long count) throws IOException {
        try {
            // On Linux and macOS the JDK sends this with sendfile(2); a full send buffer transfers 0.
            return file.transferTo(position, count, channel);
        } catch (IOException e) {
            throw writeFailure(e);
        }
    }

    /**
     * A failed write as the native transports report it: a {@link SocketException} for a reset or a broken pipe
     * ({@link #asSocketFailure}), and for a write after {@link #shutdownOutput()}, which NIO reports as an
     * {@link AsynchronousCloseException} and the kernel as EPIPE.
     */
    private IOException writeFailure(IOException e) {
        if (e instanceof AsynchronousCloseException && outputShutdown) {
            return new SocketException("the output is shut down (shutdownOutput was called); no more writes", e);
        }
        return asSocketFailure(e);
    }

    @Override
    public DetachedStream detach() {
        markDetached();
        return new NioDetachedStream(channel);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
        outputShutdown = true;
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
