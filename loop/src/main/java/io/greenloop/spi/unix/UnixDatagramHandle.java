package io.greenloop.spi.unix;

import io.greenloop.spi.DatagramHandle;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A UDP socket on a non-blocking {@link Socket}. Its transport registers it as soon as it opens: an
 * unbound UDP socket reports only "writable", so there is no stale state to keep out.
 */
final class UnixDatagramHandle extends UnixHandle implements DatagramHandle {

    /** Wraps a new non-blocking UDP socket; the transport adopts and registers it. */
    UnixDatagramHandle(UnixPoller poller, Socket socket) {
        super(poller, socket);
    }

    @Override
    public void bind(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        checkOpen();
        try {
            socket.bind(resolved(address));
        } catch (IOException e) {
            throw (BindException) new BindException("could not bind a UDP socket to " + address + ": " + e.getMessage()).initCause(e);
        }
    }

    @Override
    public boolean send(ByteBuffer src, InetSocketAddress target) throws IOException {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(target, "target");
        checkOpen();
        resolved(target);
        int position = src.position();
        int length = src.remaining();
        ByteBuffer direct = src;
        int from = position;
        if (!src.isDirect()) {
            // A datagram goes out whole or not at one: copy all of it (the scratch buffer holds the largest).
            direct = length <= poller.scratch().capacity() ? poller.scratch() : ByteBuffer.allocateDirect(length);
            direct.put(0, src, position, length);
            from = 0;
        }
        int sent;
        try {
            sent = socket.sendTo(direct, from, from + length, target.getAddress(), target.getPort());
        } catch (Errors.NativeIoException e) {
            throw socketException(e);
        }
        if (sent == 0 && length > 0) {
            wouldBlock(WRITE);
            return false;
        }
        src.position(position + sent);
        return true;
    }

    @Override
    public InetSocketAddress receive(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        checkOpen();
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("cannot receive into a read-only buffer");
        }
        int position = dst.position();
        int room = dst.remaining();
        DatagramSocketAddress sender;
        try {
            if (dst.isDirect()) {
                sender = socket.recvFrom(dst, position, position + room);
            } else {
                // Offer the kernel only the room dst has, so a longer datagram is cut where NIO would cut it.
                ByteBuffer scratch = poller.scratch();
                sender = socket.recvFrom(scratch, 0, Math.min(room, scratch.capacity()));
                if (sender != null) {
                    dst.put(position, scratch, 0, sender.receivedAmount());
                }
            }
        } catch (Errors.NativeIoException e) {
            throw socketException(e);
        }
        if (sender == null) {
            wouldBlock(READ);
            return null;
        }
        dst.position(position + sender.receivedAmount());
        return new InetSocketAddress(sender.getAddress(), sender.getPort());
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        checkOpen();
        return boundOrNull(socket.localAddress());
    }
}
