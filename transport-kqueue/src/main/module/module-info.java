/**
 * The kqueue transport (macOS, the BSDs) on Netty's JNI binding, provided to {@code greenloop.loop} through
 * {@link java.util.ServiceLoader}; it exports nothing. Netty's native library lives in a module of its own per CPU
 * ({@code io.netty.transport.kqueue.osx.x86_64}, {@code ...osx.aarch_64}) that nothing requires: add it with
 * {@code --add-modules}. This module calls Netty's package-private natives, so it needs
 * {@code --add-opens io.netty.transport.classes.kqueue/io.netty.channel.kqueue=greenloop.transport.kqueue}
 * (see {@code io.greenloop.kqueue.KqueueBridge}).
 */
module greenloop.transport.kqueue {
    requires greenloop.loop;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.unix.common;
    requires io.netty.transport.classes.kqueue;

    provides io.greenloop.spi.TransportProvider with io.greenloop.kqueue.KqueueTransportProvider;
}
