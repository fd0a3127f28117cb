package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.internal.SafeLog;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Name lookups that never block the loop (gevent's {@code socket.gethostbyname}): the JDK resolves names
 * with a native call that would hold the carrier, which for a greenlet is the loop's thread, so the
 * lookup runs on a small shared pool of daemon threads while the caller waits. Inside a greenlet the
 * greenlet parks; on a loop's owner thread the loop runs meanwhile; any other thread just blocks.
 *
 * <p>Bounds, so that slow names a peer chooses cannot stall every lookup in the JVM: a caller waits at most the
 * lookup timeout in all, queueing included ({@code -Dgreenloop.dnsTimeoutMillis}, default
 * {@value #DEFAULT_TIMEOUT_MILLIS}), then gets an {@link UnknownHostException} that says so. {@value #LOOKUP_THREADS}
 * lookups run at once; callers of the same name share one; a lookup every caller has given up on never starts,
 * and one that hangs in the JDK's native call (which cannot be interrupted) after its callers left no longer
 * holds up the others, up to {@value #MAX_ABANDONED_LOOKUPS} such calls ({@link LookupPool} says how).
 *
 * <p>The JDK's own lookups made inside greenlets ({@code new Socket("host", port)}, {@code HttpClient},
 * {@code InetAddress.getByName}) take the same route through {@link ResolverProvider}, registered as the
 * JDK's {@link InetAddressResolverProvider}.
 */
public final class Dns {

    /**
     * Lookups mostly wait on a server or a file and use little CPU; a few in parallel keep one slow name
     * from delaying the others without a thread per greenlet. Further lookups queue.
     */
    static final int LOOKUP_THREADS = 4;
    /**
     * How many lookups nobody waits for any more may each keep a thread while the JDK's native call hangs, on top
     * of {@value #LOOKUP_THREADS}. The JDK's resolver gives up after 5 s, twice, per name server: 64 threads absorb a
     * steady 2 (three servers, 30 s a call) to 6 (one server, 10 s) hanging lookups a second before fresh lookups
     * wait for a hanging call to end; a platform thread parked in a native call costs little memory.
     */
    static final int MAX_ABANDONED_LOOKUPS = 64;
    /** System.Logger "io.greenloop.Dns". */
    static final SafeLog LOG = SafeLog.of("Dns");
    /** The system property that sets the lookup timeout in milliseconds. */
    static final String TIMEOUT_PROPERTY = "greenloop.dnsTimeoutMillis";
    /** The JDK's resolver tries a server 5 s, twice, by default; a caller waits no longer than that, queueing included. */
    static final long DEFAULT_TIMEOUT_MILLIS = 10_000;

    private Dns() {
    }

    /** Made on first use, so that loading the resolver provider starts no threads. */
    private static final class Lookups {
        static final LookupPool POOL = new LookupPool(LOOKUP_THREADS, MAX_ABANDONED_LOOKUPS, timeout(), "greenloop-dns");

        private static Duration timeout() {
            long millis = Long.getLong(TIMEOUT_PROPERTY, DEFAULT_TIMEOUT_MILLIS);
            if (millis <= 0) {
                throw new IllegalArgumentException("-D" + TIMEOUT_PROPERTY + "=" + millis + ": a lookup timeout must be positive");
            }
            return Duration.ofMillis(millis);
        }
    }

    /** The pool lookups run on (package-private for tests that need to see them queue). */
    static LookupPool pool() {
        return Lookups.POOL;
    }

    /**
     * The first IPv4 address of {@code host}, dotted ({@code "127.0.0.1"}). Throws
     * {@link UnknownHostException}, naming the host, when it has no address or no IPv4 one.
     *
     * @param host a host name or address literal
     * @return the first IPv4 address of {@code host}, dotted ({@code "127.0.0.1"})
     * @throws UnknownHostException if the name does not resolve, or the lookup runs out of time
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
     *
     * @param host a host name or address literal
     * @return every address of {@code host}, as {@link InetAddress#getAllByName} gives them
     * @throws UnknownHostException if the name does not resolve, or the lookup runs out of time
     */
    public static List<InetAddress> getAllByName(String host) throws UnknownHostException {
        Objects.requireNonNull(host, "host");
        return List.of(pool().run("getAllByName", host, () -> InetAddress.getAllByName(host)));
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
            List<InetAddress> addresses = pool().run("lookupByName " + policy.characteristics(), host,
                    () -> builtin.lookupByName(host, policy).toList());
            return addresses.stream();
        }

        @Override
        public String lookupByAddress(byte[] address) throws UnknownHostException {
            if (Green.current() == null) {
                return builtin.lookupByAddress(address);
            }
            byte[] copy = address.clone();
            return pool().run("lookupByAddress", "the address " + java.util.Arrays.toString(copy), () -> builtin.lookupByAddress(copy));
        }
    }
}
