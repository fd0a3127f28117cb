package io.greenloop.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A name service that never answers for names ending in {@link #HANGS} and answers names ending in {@link #ANSWERS}
 * at once (with 127.0.0.1), as the JDK's resolver SPI (JEP 418) lets a test install one: {@link DnsLockoutTest}
 * names it in a {@code META-INF/services} file on its child JVM's class path only. A hanging call ignores
 * interrupts, as a stuck native {@code getaddrinfo} does. Other names go to the JDK's built-in resolver.
 */
public final class HangingResolver extends InetAddressResolverProvider {

    /** Names with this ending never get an answer. */
    static final String HANGS = ".hangs.test";
    /** Names with this ending are answered at once. */
    static final String ANSWERS = ".answers.test";

    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    private static final AtomicInteger STUCK = new AtomicInteger();

    /** Made by {@link java.util.ServiceLoader}. */
    public HangingResolver() {
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                CALLS.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
                if (host.endsWith(HANGS)) {
                    hangForever();
                }
                if (host.endsWith(ANSWERS)) {
                    return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "hanging test resolver";
    }

    /** How many times the resolver was asked for {@code host}. */
    static int calls(String host) {
        AtomicInteger calls = CALLS.get(host);
        return calls == null ? 0 : calls.get();
    }

    /** How many different names ending in {@link #HANGS} it was asked for. */
    static long hangingNamesAsked() {
        return CALLS.keySet().stream().filter(host -> host.endsWith(HANGS)).count();
    }

    /** How many calls hang now. */
    static int stuck() {
        return STUCK.get();
    }

    private static void hangForever() {
        STUCK.incrementAndGet();
        CountDownLatch never = new CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException deaf) {
                // a native lookup does not hear interrupts either
            }
        }
    }
}
