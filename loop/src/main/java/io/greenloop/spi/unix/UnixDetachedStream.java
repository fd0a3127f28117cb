package io.greenloop.spi.unix;

import io.greenloop.spi.DetachedStream;
import io.netty.channel.unix.FileDescriptor;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connected socket's fd between two loops of one native transport: in no poller's set, owned by
 * whoever adopts or closes it first.
 */
public final class UnixDetachedStream implements DetachedStream {

    private final String transport;
    private final int fd;
    private final AtomicBoolean taken = new AtomicBoolean();

    UnixDetachedStream(String transport, int fd) {
        this.transport = transport;
        this.fd = fd;
    }

    /**
     * The fd for {@code adopter}'s {@code adoptStream}; it may be taken once. A socket from another kind of
     * transport throws {@link IllegalArgumentException}.
     *
     * @param detached the detached socket
     * @param adopter the name of the adopting transport
     * @return the fd for {@code adopter}'s {@code adoptStream}; it may be taken once
     */
    public static int takeFd(DetachedStream detached, String adopter) {
        if (!(detached instanceof UnixDetachedStream unix) || !unix.transport.equals(adopter)) {
            throw new IllegalArgumentException("the " + adopter + " transport cannot adopt a socket detached from the "
                    + detached.transport() + " transport; hand sockets only between loops of the same transport");
        }
        if (!unix.taken.compareAndSet(false, true)) {
            throw new IllegalStateException("this detached socket (fd " + unix.fd + ") was adopted or closed already");
        }
        return unix.fd;
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public void close() {
        if (taken.compareAndSet(false, true)) {
            try {
                new FileDescriptor(fd).close();
            } catch (IOException e) {
                // close(2) releases the descriptor even when it reports an error; there is nothing left to undo.
            }
        }
    }

    @Override
    public String toString() {
        return "UnixDetachedStream[" + transport + ", fd " + fd + "]";
    }
}
