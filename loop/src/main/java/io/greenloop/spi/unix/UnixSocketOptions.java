package io.greenloop.spi.unix;

import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/** The {@link StandardSocketOptions} the native transports set, mapped to Netty's socket calls. */
final class UnixSocketOptions {

    private UnixSocketOptions() {
    }

    /** Sets one option; {@code transport} names the transport in the refusal of an option it does not support. */
    static <T> void set(Socket socket, SocketOption<T> option, T value, String transport) throws IOException {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            socket.setTcpNoDelay((Boolean) value);
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            socket.setKeepAlive((Boolean) value);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            socket.setReceiveBufferSize((Integer) value);
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            socket.setSendBufferSize((Integer) value);
        } else if (option == StandardSocketOptions.SO_LINGER) {
            socket.setSoLinger((Integer) value);
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            socket.setReuseAddress((Boolean) value);
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            socket.setReusePort((Boolean) value);
        } else if (option == StandardSocketOptions.IP_TOS) {
            socket.setTrafficClass((Integer) value);
        } else {
            throw new UnsupportedOperationException("the " + transport + " transport does not support the socket option "
                    + option.name() + "; it supports TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_REUSEADDR,"
                    + " SO_REUSEPORT and IP_TOS");
        }
    }
}
