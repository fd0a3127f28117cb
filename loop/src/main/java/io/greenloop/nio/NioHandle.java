package io.greenloop.nio;

import io.greenloop.spi.IoHandle;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.SelectionKey;

/** What the three NIO handles share: a selection key, the interest in {@link IoHandle} ops, the listener. */
abstract sealed class NioHandle implements IoHandle permits NioStreamHandle, NioListenerHandle, NioDatagramHandle {

    private static final ReadyListener NOBODY = readyOps -> { };

    final SelectionKey key;
    private ReadyListener listener = NOBODY;
    private int interest;
    private boolean closed;

    NioHandle(SelectionKey key) {
        this.key = key;
        key.attach(this);
    }

    /** The selection-key ops that stand for {@code ops} on this kind of channel, in its current state. */
    abstract int selectionOps(int ops);

    @Override
    public final void listener(ReadyListener listener) {
        this.listener = listener == null ? NOBODY : listener;
    }

    @Override
    public final void interest(int ops) {
        if (ops != interest && !closed) {
            interest = ops;
            key.interestOps(selectionOps(ops));
        }
    }

    @Override
    public final int interest() {
        return interest;
    }

    /** Re-applies the interest after the channel changed state (a connect that finished). */
    final void refreshInterest() {
        if (!closed) {
            key.interestOps(selectionOps(interest));
        }
    }

    final void fire(int selectedOps) {
        int ops = 0;
        if ((selectedOps & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            ops |= READ;
        }
        if ((selectedOps & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            ops |= WRITE;
        }
        ops &= interest;
        if (ops != 0) {
            reported(ops);
            listener.ready(ops);
        }
    }

    /** The selector reported {@code ops}, which the listener is about to hear: what a handle remembers of readiness. */
    void reported(int ops) {
    }

    /**
     * A failed socket call as epoll, kqueue and {@code java.net} report the same errno: NIO throws a plain
     * {@link IOException} for some ("Connection reset by peer" and "Broken pipe" from a write), the others a
     * {@link SocketException}. Any other exception ({@code ClosedChannelException}, a {@code SocketException}
     * already) is returned as it is.
     */
    static IOException asSocketFailure(IOException e) {
        return e.getClass() == IOException.class ? new SocketException(e.getMessage(), e) : e;
    }

    @Override
    public final boolean isClosed() {
        return closed;
    }

    /**
     * Closes the handle but not its channel, which leaves this selector (at its next select) and may
     * join another: the hand-over of a connection to another loop.
     */
    final void markDetached() {
        if (closed) {
            throw new IllegalStateException("cannot detach a closed handle");
        }
        closed = true;
        key.cancel();
    }

    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        key.cancel();
        key.channel().close();
    }
}
