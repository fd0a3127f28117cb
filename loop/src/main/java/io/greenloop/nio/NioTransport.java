package io.greenloop.nio;

import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import io.greenloop.spi.Transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The transport on {@link java.nio.channels.Selector}: always available, on every OS. Each handle is a
 * non-blocking channel registered once; its interest is the selection key's interest set, which the
 * selector applies before its next select. Thread rule: all methods except {@link #wakeup()} on the
 * loop thread.
 */
final class NioTransport implements Transport {

    /**
     * The most of a heap buffer one write copies: the JDK would copy all that remains into a temporary
     * direct buffer on every write (100 MB held a loop for over 100 ms); 256 KiB is more than a socket
     * usually takes at once, and copies in well under a millisecond.
     */
    static final int WRITE_SLICE_BYTES = 256 * 1024;

    private final Selector selector;
    private ByteBuffer writeSlice;

    /** Opens a selector for one loop. */
    public NioTransport() throws IOException {
        this.selector = Selector.open();
    }

    @Override
    public String name() {
        return "nio";
    }

    @Override
    public int poll(long timeoutNanos) throws IOException {
        if (timeoutNanos == 0) {
            return selector.selectNow();
        }
        if (timeoutNanos < 0) {
            return selector.select();
        }
        // Round up: waking a little late is harmless, waking early spins the loop until the timer is due.
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
        return selector.select(millis);
    }

    @Override
    public void dispatch() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            NioHandle handle = (NioHandle) key.attachment();
            if (key.isValid() && !handle.isClosed()) {
                handle.fire(key.readyOps());
            }
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public StreamHandle openStream(ProtocolFamily family) throws IOException {
        return new NioStreamHandle(register(SocketChannel.open(family)), this);
    }

    @Override
    public ListenerHandle openListener(ProtocolFamily family) throws IOException {
        return new NioListenerHandle(register(ServerSocketChannel.open(family)), this);
    }

    @Override
    public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
        return new NioDatagramHandle(register(DatagramChannel.open(family)));
    }

    @Override
    public StreamHandle adoptStream(DetachedStream detached) throws IOException {
        if (!(detached instanceof NioDetachedStream(SocketChannel channel))) {
            throw new IllegalArgumentException("the nio transport cannot adopt a socket detached from the "
                    + detached.transport() + " transport; hand sockets only between loops of the same transport");
        }
        return new NioStreamHandle(register(channel), this);
    }

    SelectionKey register(java.nio.channels.SelectableChannel channel) throws IOException {
        try {
            channel.configureBlocking(false);
            return channel.register(selector, 0);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The direct buffer heap writes are copied into, made on first use; one per loop, as writes never overlap
     * there. Fill it by absolute index from 0 and send it with {@link #sendSlice}: its position is 0 and its
     * limit its capacity between uses, and no caller may move them.
     */
    ByteBuffer writeSlice() {
        if (writeSlice == null) {
            writeSlice = ByteBuffer.allocateDirect(WRITE_SLICE_BYTES);
        }
        return writeSlice;
    }

    /**
     * Writes the first {@code length} bytes of the {@link #writeSlice} to {@code channel}: bytes written. The one
     * place that moves the slice's position and limit, which it puts back whatever happens, so that no state of
     * one write reaches the next on any connection of this loop.
     */
    int sendSlice(SocketChannel channel, int length) throws IOException {
        ByteBuffer slice = writeSlice().limit(length);
        try {
            return channel.write(slice);
        } finally {
            slice.clear();
        }
    }

    @Override
    public int openHandles() {
        int open = 0;
        for (SelectionKey key : selector.keys()) {
            if (key.isValid()) {  // a cancelled key stays in the set until the next select
                open++;
            }
        }
        return open;
    }

    @Override
    public void close() {
        try {
            for (SelectionKey key : selector.keys()) {
                ((NioHandle) key.attachment()).close();
            }
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the NIO selector failed", e);
        }
    }
}
