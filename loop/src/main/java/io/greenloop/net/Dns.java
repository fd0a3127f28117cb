package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.ThreadPool;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Name lookups that never block the loop (gevent's {@code socket.gethostbyname}): the JDK resolves names
 * with a native call that would hold the carrier, which for a greenlet is the loop's thread, so the
 * lookup runs on a small shared pool of daemon threads while the caller waits. Inside a greenlet the
 * greenlet parks; on a loop's owner thread the loop runs meanwhile; any other thread just blocks.
 *
 * <p>The JDK's own lookups made inside greenlets ({@code new Socket("host", port)}, {@code HttpClient},
 * {@code InetAddress.getByName}) take the same route through {@link ResolverProvider}, registered as the
 * JDK's {@link InetAddressResolverProvider}.
 */
public final class Dns {

    /**
     * Lookups mostly wait on a server or a file and use little CPU; a few in parallel keep one slow name
     * from delaying the others without a thread per greenlet. Further lookups queue, FIFO.
     */
    static final int LOOKUP_THREADS = 4;

    private Dns() {
    }

    /** Made on first use, so that loading the resolver provider starts no threads. */
    private static final class Lookups {
        static final ThreadPool POOL = new ThreadPool(LOOKUP_THREADS, "greenloop-dns");
    }

    /** The pool lookups run on (package-private for tests that need to see them queue). */
    static ThreadPool pool() {
        return Lookups.POOL;
    }

    /**
     * The first IPv4 address of {@code host}, dotted ({@code "127.0.0.1"}). Throws
     * {@link UnknownHostException}, naming the host, when it has no address or no IPv4 one.
     */
    public static String getHostByName(String host) throws UnknownHostException {
        List<InetAddress> addresses = getAllByName(host);
        for (InetAddress address : addresses) {
            if (address instanceof Inet4Address) {
                return address.getHostAddress();
            }
        }
        throw new UnknownHostException(host + ": no IPv4 address (it has only " + addresses + ")");
    }

    /**
     * Every address of {@code host}, as {@link InetAddress#getAllByName} gives them (its cache included).
     * Throws {@link UnknownHostException}, naming the host, when the name does not resolve.
     */
    public static List<InetAddress> getAllByName(String host) throws UnknownHostException {
        Objects.requireNonNull(host, "host");
        return List.of(offTheLoop(host, () -> InetAddress.getAllByName(host)));
    }

    /** Runs a lookup on the pool and waits for it; exceptions come back as the lookup threw them. */
    private static <T> T offTheLoop(String host, Callable<T> lookup) throws UnknownHostException {
        try {
            return pool().apply(lookup);
        } catch (UnknownHostException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw withCause(new UnknownHostException(host + ": the lookup was interrupted"), e);
        } catch (Exception e) {
            throw withCause(new UnknownHostException(host + ": " + e), e);
        }
    }

    private static UnknownHostException withCause(UnknownHostException e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    /**
     * The JDK's resolver SPI (JEP 418), registered in {@code META-INF/services}: inside a greenlet, a
     * lookup goes to the built-in resolver on {@link Dns}'s pool while the greenlet parks; anywhere else it
     * calls the built-in resolver directly, exactly as if this provider were not there. The JDK loads it
     * the first time any code resolves a name; it starts no thread until a greenlet looks a name up.
     */
    public static final class ResolverProvider extends InetAddressResolverProvider {

        /** Made by {@link java.util.ServiceLoader}. */
        public ResolverProvider() {
        }

        @Override
        public InetAddressResolver get(Configuration configuration) {
            return new GreenletResolver(configuration.builtinResolver());
        }

        @Override
        public String name() {
            return "greenloop";
        }
    }

    private record GreenletResolver(InetAddressResolver builtin) implements InetAddressResolver {

        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
            if (Green.current() == null) {
                return builtin.lookupByName(host, policy);
            }
            // Collected on the pool thread: the stream may be lazy, and reading it must not happen on the loop.
            List<InetAddress> addresses = offTheLoop(host, () -> builtin.lookupByName(host, policy).toList());
            return addresses.stream();
        }

        @Override
        public String lookupByAddress(byte[] address) throws UnknownHostException {
            if (Green.current() == null) {
                return builtin.lookupByAddress(address);
            }
            byte[] copy = address.clone();
            return offTheLoop("the address " + java.util.Arrays.toString(copy), () -> builtin.lookupByAddress(copy));
        }
    }
}
