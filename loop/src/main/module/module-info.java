/**
 * greenloop's loop: greenlets on virtual threads scheduled by a hand-written event loop per thread, the public API
 * ({@code io.greenloop}, {@code io.greenloop.net}, {@code io.greenloop.process}), the layers for library and
 * transport authors ({@code io.greenloop.lowlevel}, {@code io.greenloop.spi}, {@code io.greenloop.spi.unix}) and the
 * NIO transport. Transports are found with {@link java.util.ServiceLoader}; a native transport module on the module
 * path is bound as a provider without being required.
 *
 * <p>On the module path it needs {@code --add-opens java.base/java.lang=greenloop.loop} (see
 * {@code io.greenloop.internal.GreenletThreads}), and {@code --enable-native-access=greenloop.loop} to pin a loop
 * to a CPU without the JDK's warning ({@code Loop.Options.withCpu} calls libc through {@code java.lang.foreign}). Netty is optional: only {@code io.greenloop.spi.unix} uses it, and
 * only when a native transport module brings it.
 */
module greenloop.loop {
    requires java.management;
    requires jdk.jfr;
    requires static io.netty.common;
    // io.greenloop.spi.unix's signatures name Netty's socket types; a transport built on it requires these itself
    // (not transitive: a static transitive requirement would make every module that reads this one, greenloop.http
    // among them, need Netty to compile).
    requires static io.netty.transport;
    requires static io.netty.transport.unix.common;

    exports io.greenloop;
    exports io.greenloop.net;
    exports io.greenloop.process;
    exports io.greenloop.lowlevel;
    exports io.greenloop.spi;
    exports io.greenloop.spi.unix;

    uses io.greenloop.spi.TransportProvider;

    provides io.greenloop.spi.TransportProvider with io.greenloop.nio.NioTransportProvider;
    provides java.net.spi.InetAddressResolverProvider with io.greenloop.net.Dns.ResolverProvider;
}
