/**
 * What the transports on Netty's JNI bindings (epoll, kqueue) share, for those transport modules only:
 * {@link io.greenloop.spi.unix.UnixTransport} (sockets, fd table, ready list, wake-up lock, close), the
 * socket handles, and {@link io.greenloop.spi.unix.NettyTransportProvider} (availability probed once,
 * including the Netty version check). Needs Netty's {@code netty-transport-native-unix-common}, an optional
 * dependency that only a native transport module brings.
 */
package io.greenloop.spi.unix;
