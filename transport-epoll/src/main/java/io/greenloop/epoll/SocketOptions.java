package io.greenloop.epoll;

import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/** The {@link StandardSocketOptions} the epoll transport sets, mapped to Netty's socket calls. */
final class SocketOptions {

    private SocketOptions() {
    }

    static <T> void set(Socket socket, SocketOption<T> option, T value) throws IOException {
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
            throw new UnsupportedOperationException("the epoll transport does not support the socket option " + option.name()
                    + "; it supports TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_REUSEADDR, SO_REUSEPORT and IP_TOS");
        }
    }
}
