/**
 * The epoll transport (Linux) on Netty's JNI binding, provided to {@code greenloop.loop} through
 * {@link java.util.ServiceLoader}; it exports nothing. Netty's native library lives in a module of its own per CPU
 * ({@code io.netty.transport.epoll.linux.x86_64}, {@code ...linux.aarch_64}) that nothing requires: add it with
 * {@code --add-modules}. This module calls Netty's package-private natives, so it needs
 * {@code --add-opens io.netty.transport.classes.epoll/io.netty.channel.epoll=greenloop.transport.epoll}
 * (see {@code io.greenloop.epoll.EpollBridge}).
 */
module greenloop.transport.epoll {
    requires greenloop.loop;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.unix.common;
    requires io.netty.transport.classes.epoll;

    provides io.greenloop.spi.TransportProvider with io.greenloop.epoll.EpollTransportProvider;
}
