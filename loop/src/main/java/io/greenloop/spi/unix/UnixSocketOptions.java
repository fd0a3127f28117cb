package io.greenloop.spi.unix;

import io.greenloop.net.LinuxSocketOptions;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * The {@link StandardSocketOptions} the native transports set and read back, mapped to Netty's socket
 * calls, and on Linux (the epoll transport) the {@link LinuxSocketOptions}: the TCP ones through
 * {@code setsockopt}, {@code SO_BUSY_POLL} through the transport ({@link UnixPoller#setBusyPoll}).
 */
final class UnixSocketOptions {

    /** {@code IPPROTO_TCP}, the level of the Linux TCP options (6 on every Linux architecture). */
    private static final int IPPROTO_TCP = 6;
    /** The Linux option numbers, from {@code <netinet/tcp.h>}; the same on every Linux architecture. */
    private static final int TCP_CORK = 3;
    private static final int TCP_QUICKACK = 12;
    private static final int TCP_NOTSENT_LOWAT = 25;
    /** The only transport that runs on Linux, and so the only one that may pass the Linux option numbers. */
    private static final String LINUX_TRANSPORT = "epoll";

    private UnixSocketOptions() {
    }

    /** Sets one option on a socket of {@code poller}'s transport, which it names in the refusal of an option it lacks. */
    static <T> void set(Socket socket, SocketOption<T> option, T value, UnixPoller poller) throws IOException {
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
        } else if (option == LinuxSocketOptions.SO_BUSY_POLL && isLinux(poller)) {
            int micros = (Integer) value;
            if (micros < 0) {
                throw new IllegalArgumentException("SO_BUSY_POLL " + micros + " us: give 0 (off) or more microseconds");
            }
            poller.setBusyPoll(socket, micros);
        } else {
            int linux = linuxOption(option, poller.name());
            int number = value instanceof Boolean on ? (on ? 1 : 0) : (Integer) value;
            socket.setIntOpt(IPPROTO_TCP, linux, number);
        }
    }

    /** Reads one option back, with the same options and refusal as {@link #set}. */
    static <T> T get(Socket socket, SocketOption<T> option, UnixPoller poller) throws IOException {
        Object value;
        if (option == StandardSocketOptions.TCP_NODELAY) {
            value = socket.isTcpNoDelay();
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            value = socket.isKeepAlive();
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            value = socket.getReceiveBufferSize();
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            value = socket.getSendBufferSize();
        } else if (option == StandardSocketOptions.SO_LINGER) {
            value = socket.getSoLinger();
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            value = socket.isReuseAddress();
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            value = socket.isReusePort();
        } else if (option == StandardSocketOptions.IP_TOS) {
            value = socket.getTrafficClass();
        } else if (option == LinuxSocketOptions.SO_BUSY_POLL && isLinux(poller)) {
            value = poller.busyPoll(socket);
        } else {
            int number = socket.getIntOpt(IPPROTO_TCP, linuxOption(option, poller.name()));
            value = option.type() == Boolean.class ? (Object) (number != 0) : (Object) number;
        }
        return option.type().cast(value);
    }

    private static boolean isLinux(UnixPoller poller) {
        return poller.name().equals(LINUX_TRANSPORT);
    }

    private static int linuxOption(SocketOption<?> option, String transport) {
        if (transport.equals(LINUX_TRANSPORT)) {
            if (option == LinuxSocketOptions.TCP_QUICKACK) {
                return TCP_QUICKACK;
            } else if (option == LinuxSocketOptions.TCP_CORK) {
                return TCP_CORK;
            } else if (option == LinuxSocketOptions.TCP_NOTSENT_LOWAT) {
                return TCP_NOTSENT_LOWAT;
            }
        }
        throw new UnsupportedOperationException("the " + transport + " transport does not support the socket option "
                + option.name() + "; it supports TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_REUSEADDR,"
                + " SO_REUSEPORT and IP_TOS" + (transport.equals(LINUX_TRANSPORT)
                        ? ", and LinuxSocketOptions.TCP_QUICKACK, TCP_CORK, TCP_NOTSENT_LOWAT and SO_BUSY_POLL" : ""));
    }
}
