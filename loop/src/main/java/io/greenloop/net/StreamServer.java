package io.greenloop.net;

import io.greenloop.Event;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.GreenletExit;
import io.greenloop.Loop;
import io.greenloop.internal.Deadline;
import io.greenloop.internal.SafeLog;
import io.greenloop.lowlevel.LowLevel;
import io.greenloop.lowlevel.PlatformBeans;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * gevent's {@code StreamServer}: listens on an address and runs {@link Handler#handle} in a greenlet of
 * its own for each connection, closing the connection when the handler returns. A handler that throws
 * has its connection closed and its exception reported to the loop's error handler (by default an ERROR
 * naming the server, the peer and the greenlet); the server keeps serving. What peers do every day (a
 * reset, a broken pipe, an end of stream mid-message, a timed-out read or write, the idle timeout, a failed
 * TLS handshake: see {@code ConnectionFaults}) ends only that connection and is one DEBUG line naming the
 * server and the peer. Accept failures (such as running out of file descriptors) pause the accepting
 * greenlet, 10 ms doubling to a second, and are logged once per run of failures. Every record goes to
 * {@code System.Logger} "io.greenloop.StreamServer". Nothing but {@link #stop}/{@link #close} (or a kill)
 * ends the accepting, whatever fails.
 *
 * <p>{@code new InetSocketAddress(port)} is the wildcard address: the server listens on every interface
 * of the machine. To serve this machine only, bind {@code new InetSocketAddress("127.0.0.1", port)}. To
 * bound what one peer can hold, combine {@link Options#withMaxConcurrentHandlers} (connections served at
 * once), {@link Options#withIdleTimeout} (a quiet connection is closed) and, in the handler,
 * {@link TcpSocket#setTimeout} (the longest one read or write may wait).
 *
 * <p>{@link #stop(Duration)} is graceful: it stops accepting at once, takes on the connections already waiting in
 * the accept queue (closing the listener would reset them), lets the handlers finish within the grace, then kills
 * the rest; a handler asks {@link #isStopping()} to end a keep-alive exchange after its current request. The
 * server's numbers are {@link #stats()} and its JMX bean {@code io.greenloop:type=Server,name=StreamServer-N}.
 *
 * <p>One loop per core: {@link io.greenloop.LoopGroup#serve(InetSocketAddress, Options, Handler)} serves one
 * {@link GroupServer} across a group's loops, with these options, TLS, numbers and the same graceful stop.
 *
 * <p>Thread rule: {@link #start()} binds the server to the calling thread's loop; from then on every
 * method on that loop's thread or its greenlets, else {@link IllegalStateException} naming the owner; but
 * {@link #address()}, {@link #activeHandlers()}, {@link #stats()}, {@link #stopping()} and {@link #isStopping()}
 * on any thread.
 */
public final class StreamServer implements AutoCloseable {

    /** System.Logger "io.greenloop.StreamServer": accept failures, connections peers ended, handlers that failed. */
    static final SafeLog LOG = SafeLog.of("StreamServer");


    /** What a server runs for each connection, in a greenlet of its own. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Serves one connection; the server closes {@code socket} when this returns or throws.
         *
         * @param socket the socket
         * @param peer the remote address
         * @throws Exception anything: it is logged, and only this connection ends
         */
        void handle(TcpSocket socket, InetSocketAddress peer) throws Exception;
    }

    /** What a {@link #tls TLS server} runs for each connection, after the handshake, in a greenlet of its own. */
    @FunctionalInterface
    public interface TlsHandler {
        /**
         * Serves one connection whose handshake is done; the server closes {@code socket} (close_notify) when this
         * returns or throws.
         *
         * @param socket the socket
         * @param peer the remote address
         * @throws Exception anything: it is logged, and only this connection ends
         */
        void handle(TlsSocket socket, InetSocketAddress peer) throws Exception;
    }

    /**
     * How a server listens, how many connections it serves at once, and how long a quiet one may stay.
     *
     * @param backlog                 the listen backlog (0: the OS default)
     * @param reusePort               set {@code SO_REUSEPORT}, so that servers on other loops can share the port
     * @param maxConcurrentHandlers   at most this many handlers run at once; the next connection waits in the
     *                                backlog until one finishes ({@link #UNLIMITED}: no limit)
     * @param idleTimeout             a connection that moves no data for this long (nothing read or written, in
     *                                either direction) is closed, which ends its handler's parked read or write
     *                                with "socket closed" and is not reported as an error ({@code null}: no limit)
     * @param handshakeTimeout        a {@link #tls TLS server}'s limit on each connection's handshake
     * @param busyPoll                {@code SO_BUSY_POLL} on every accepted connection ({@link #withBusyPoll}), or
     *                                {@code null} to leave the kernel's default ({@code net.core.busy_read})
     */
    public record Options(int backlog, boolean reusePort, int maxConcurrentHandlers, Duration idleTimeout,
                          Duration handshakeTimeout, Duration busyPoll) {

        /** The default {@link #handshakeTimeout}. */
        public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

        /** No limit on concurrent handlers. */
        public static final int UNLIMITED = Integer.MAX_VALUE;

        /** The longest busy-poll time: {@code SO_BUSY_POLL} is an {@code int} of microseconds. */
        public static final Duration MAX_BUSY_POLL = Duration.ofNanos(Integer.MAX_VALUE * 1000L);

        /** Checks the values. */
        public Options {
            if (backlog < 0) {
                throw new IllegalArgumentException("backlog " + backlog + " is negative; use 0 for the OS default");
            }
            if (maxConcurrentHandlers < 1) {
                throw new IllegalArgumentException("maxConcurrentHandlers " + maxConcurrentHandlers
                        + " would never serve anyone; use at least 1, or Options.UNLIMITED");
            }
            if (idleTimeout != null && !idleTimeout.isPositive()) {
                throw new IllegalArgumentException("idleTimeout " + idleTimeout + " would close every connection at once;"
                        + " give a positive duration, or null for no idle limit");
            }
            Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            if (!handshakeTimeout.isPositive()) {
                throw new IllegalArgumentException("handshakeTimeout " + handshakeTimeout + " would fail every TLS handshake; use a positive duration");
            }
            if (busyPoll != null && (busyPoll.isNegative() || busyPoll.compareTo(MAX_BUSY_POLL) > 0)) {
                throw new IllegalArgumentException("busyPoll " + busyPoll + " is not a busy-poll time; give 0 (off) to "
                        + MAX_BUSY_POLL + ", or null for the kernel's default");
            }
        }

        /**
         * Options without a busy-poll setting, as the record was before it had one.
         *
         * @param backlog the listen backlog (connections the kernel queues before they are accepted)
         * @param reusePort whether to set {@code SO_REUSEPORT}
         * @param maxConcurrentHandlers how many handlers run at once at most; beyond it new connections wait in the
         *     backlog
         * @param idleTimeout how long a connection may stay silent before it is closed; {@code null}: no limit
         * @param handshakeTimeout how long each TLS handshake may take
         */
        public Options(int backlog, boolean reusePort, int maxConcurrentHandlers, Duration idleTimeout, Duration handshakeTimeout) {
            this(backlog, reusePort, maxConcurrentHandlers, idleTimeout, handshakeTimeout, null);
        }

        /**
         * Options with the {@link #DEFAULT_HANDSHAKE_TIMEOUT}.
         *
         * @param backlog the listen backlog (connections the kernel queues before they are accepted)
         * @param reusePort whether to set {@code SO_REUSEPORT}
         * @param maxConcurrentHandlers how many handlers run at once at most; beyond it new connections wait in the
         *     backlog
         * @param idleTimeout how long a connection may stay silent before it is closed; {@code null}: no limit
         */
        public Options(int backlog, boolean reusePort, int maxConcurrentHandlers, Duration idleTimeout) {
            this(backlog, reusePort, maxConcurrentHandlers, idleTimeout, DEFAULT_HANDSHAKE_TIMEOUT);
        }

        /**
         * Options without an idle timeout.
         *
         * @param backlog the listen backlog (connections the kernel queues before they are accepted)
         * @param reusePort whether to set {@code SO_REUSEPORT}
         * @param maxConcurrentHandlers how many handlers run at once at most; beyond it new connections wait in the
         *     backlog
         */
        public Options(int backlog, boolean reusePort, int maxConcurrentHandlers) {
            this(backlog, reusePort, maxConcurrentHandlers, null);
        }

        /**
         * Backlog {@link TcpListener#DEFAULT_BACKLOG}, no {@code SO_REUSEPORT}, no handler limit, no idle timeout.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(TcpListener.DEFAULT_BACKLOG, false, UNLIMITED, null);
        }

        /**
         * These options with another backlog.
         *
         * @param backlog the listen backlog (connections the kernel queues before they are accepted)
         * @return a copy with that change
         */
        public Options withBacklog(int backlog) {
            return new Options(backlog, reusePort, maxConcurrentHandlers, idleTimeout, handshakeTimeout, busyPoll);
        }

        /**
         * These options with {@code SO_REUSEPORT} on or off.
         *
         * @param reusePort whether to set {@code SO_REUSEPORT}
         * @return a copy with that change
         */
        public Options withReusePort(boolean reusePort) {
            return new Options(backlog, reusePort, maxConcurrentHandlers, idleTimeout, handshakeTimeout, busyPoll);
        }

        /**
         * These options with another limit on concurrent handlers.
         *
         * @param maxConcurrentHandlers how many handlers run at once at most; beyond it new connections wait in the
         *     backlog
         * @return a copy with that change
         */
        public Options withMaxConcurrentHandlers(int maxConcurrentHandlers) {
            return new Options(backlog, reusePort, maxConcurrentHandlers, idleTimeout, handshakeTimeout, busyPoll);
        }

        /**
         * These options with another idle timeout ({@code null}: none).
         *
         * @param idleTimeout how long a connection may stay silent before it is closed; {@code null}: no limit
         * @return a copy with that change
         */
        public Options withIdleTimeout(Duration idleTimeout) {
            return new Options(backlog, reusePort, maxConcurrentHandlers, idleTimeout, handshakeTimeout, busyPoll);
        }

        /**
         * These options with another limit on each TLS handshake.
         *
         * @param handshakeTimeout how long each TLS handshake may take
         * @return a copy with that change
         */
        public Options withHandshakeTimeout(Duration handshakeTimeout) {
            return new Options(backlog, reusePort, maxConcurrentHandlers, idleTimeout, handshakeTimeout, busyPoll);
        }

        /**
         * These options with kernel busy polling on every accepted connection: Linux's {@code SO_BUSY_POLL}, set on
         * the listener, which accepted sockets inherit. A read (or the loop's epoll wait) that finds nothing then
         * polls the network device's receive queue for up to {@code busyPoll} before it sleeps, which saves the
         * interrupt and wake-up on the way in at the cost of that CPU time; it acts only on traffic from a NIC
         * queue with NAPI (not loopback), and pairs with a spinning loop ({@code IdleStrategy.spin()}). The epoll
         * transport only: {@link #start()} on another refuses it with {@link UnsupportedOperationException}
         * (the JDK's channels, under nio, offer no such option). {@code null}: leave the kernel's default
         * ({@code net.core.busy_read}); {@link Duration#ZERO}: off. Rounded up to whole microseconds.
         *
         * @param busyPoll how long a read may busy-poll, 0 to {@link #MAX_BUSY_POLL}, or {@code null}
         * @return a copy with that change
         */
        public Options withBusyPoll(Duration busyPoll) {
            return new Options(backlog, reusePort, maxConcurrentHandlers, idleTimeout, handshakeTimeout, busyPoll);
        }
    }

    /*
     * NEW --start--> SERVING --stop--> STOPPING --handlers gone--> STOPPED
     * NEW --stop/close--> STOPPED (never listened)
     */
    private enum State { NEW, SERVING, STOPPING, STOPPED }

    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final InetSocketAddress address;
    private final Handler handler;
    private final Options options;
    private final HandlerLimit limit;
    private final Event stopped = new Event();
    private final String name = "StreamServer-" + SERVERS.incrementAndGet();
    /** Written on the loop's thread; read by the bean and {@link #stopping()} on any. */
    private volatile State state = State.NEW;
    private ConnectionsOnLoop connections;
    private Acceptor acceptor;
    private PlatformBeans.Registration bean;

    /**
     * A server for {@code address} (port 0: any free port) with {@link Options#defaults()}.
     *
     * @param address where to listen (port 0: any free port)
     * @param handler runs each connection, in a greenlet of its own
     */
    public StreamServer(InetSocketAddress address, Handler handler) {
        this(address, handler, Options.defaults());
    }

    /**
     * A server that runs at most {@code maxConcurrentHandlers} handlers at once; later connections wait their turn.
     *
     * @param address where to listen (port 0: any free port)
     * @param handler runs each connection, in a greenlet of its own
     * @param maxConcurrentHandlers how many handlers run at once at most; beyond it new connections wait in the
     *     backlog
     */
    public StreamServer(InetSocketAddress address, Handler handler, int maxConcurrentHandlers) {
        this(address, handler, Options.defaults().withMaxConcurrentHandlers(maxConcurrentHandlers));
    }

    /**
     * A server with the given {@link Options}.
     *
     * @param address where to listen (port 0: any free port)
     * @param handler runs each connection, in a greenlet of its own
     * @param options the server options
     */
    public StreamServer(InetSocketAddress address, Handler handler, Options options) {
        this.address = Objects.requireNonNull(address, "address");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.options = Objects.requireNonNull(options, "options");
        this.limit = new HandlerLimit(options.maxConcurrentHandlers());
    }

    /**
     * A TLS server (gevent's {@code ssl_context=}): each connection's handshake runs in its greenlet under
     * {@link Options#handshakeTimeout()}, then {@code handler} runs; a failed handshake (a plain-text client,
     * an untrusted peer, a timeout) is logged at DEBUG and closes that connection only.
     *
     * @param address where to listen (port 0: any free port)
     * @param context the TLS configuration: keys, certificates, trust
     * @param handler runs each connection, in a greenlet of its own
     * @return a TLS server (gevent's {@code ssl_context=})
     */
    public static StreamServer tls(InetSocketAddress address, SSLContext context, TlsHandler handler) {
        return tls(address, context, handler, Options.defaults());
    }

    /**
     * {@link #tls(InetSocketAddress, SSLContext, TlsHandler)} with the given {@link Options}.
     *
     * @param address where to listen (port 0: any free port)
     * @param context the TLS configuration: keys, certificates, trust
     * @param handler runs each connection, in a greenlet of its own
     * @param options the server options
     * @return the server, not yet started
     */
    public static StreamServer tls(InetSocketAddress address, SSLContext context, TlsHandler handler, Options options) {
        return tls(address, TlsServing.serverEngines(context), handler, options);
    }

    /**
     * A TLS server whose engines come from {@code engines}, one per connection, set up by the caller (another
     * provider, ALPN, client authentication); otherwise as {@link #tls(InetSocketAddress, SSLContext, TlsHandler)}.
     *
     * @param address where to listen (port 0: any free port)
     * @param engines makes the engine of each connection
     * @param handler runs each connection, in a greenlet of its own
     * @param options the server options
     * @return a TLS server whose engines come from {@code engines}, one per connection, set up by the caller
     */
    public static StreamServer tls(InetSocketAddress address, Supplier<SSLEngine> engines, TlsHandler handler, Options options) {
        Objects.requireNonNull(engines, "engines");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        return new StreamServer(address, TlsServing.handler(engines, handler, options.handshakeTimeout()), options);
    }

    /**
     * Binds on the calling thread's loop and starts accepting in a greenlet; returns at once. Its JMX bean,
     * {@code io.greenloop:type=Server,name=StreamServer-N}, is registered soon after, off the loop.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public void start() throws IOException {
        if (state == State.STOPPED && acceptor == null) {
            throw new IllegalStateException("this StreamServer was stopped before it started; make a new one to serve");
        }
        if (state != State.NEW) {
            throw new IllegalStateException("this StreamServer was started already (" + state + "); make a new one to serve again");
        }
        Loop loop = Loop.current();
        ConnectionsOnLoop here = new ConnectionsOnLoop(this, loop, this::stopping, handler, options.idleTimeout(), limit);
        acceptor = Acceptor.start(this, address, options, here.counters, limit, here::take);
        acceptor.greenlet().link(ended -> acceptingEnded());
        connections = here;
        state = State.SERVING;
        bean = ServerBean.register(name, this, this::stats, this::activeHandlers, acceptor.address(), this::stopping);
    }

    /** The accepting greenlet has ended: by a stop, or killed as the loop closed, which ends the server, bean and all. */
    private void acceptingEnded() {
        if (state == State.SERVING && bean != null) {
            bean.unregister();
        }
    }

    /**
     * Starts the server if needed, then waits (parks, or drives the loop on its owner thread) until it is stopped.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public void serveForever() throws IOException {
        if (state == State.NEW || (state == State.STOPPED && acceptor == null)) {
            start();
        }
        stopped.await();
    }

    /**
     * Stops accepting at once, waits up to {@code grace} for running handlers to finish, then kills the
     * rest with {@link GreenletExit} and waits (up to a second) for them to die. Parks a greenlet, or
     * drives the loop on its owner thread. A handler may stop its own server; it is not waited for.
     * Connections already waiting in the listener's accept queue are taken on before it closes (which would
     * reset them): served while a handler slot is free, else closed cleanly (a FIN, counted as refused). A second
     * stop while one is under way ends it sooner if its grace is shorter, and returns when it is over.
     *
     * @param grace how long handlers may go on; {@code null}: no limit, wait for every handler to return and
     *              kill none (gevent's {@code stop(timeout=None)}); zero or less: kill them at once
     */
    public void stop(Duration grace) {
        if (state == State.NEW) {
            state = State.STOPPED;
            return;
        }
        LowLevel.requireLoopThread(connections.loop, "StreamServer.stop");
        if (state == State.SERVING) {
            state = State.STOPPING;
            acceptor.stopAccepting();
        }
        Greenlet<?> self = Green.current();
        connections.finish(Deadline.after(grace), self);
        if (acceptor.greenlet() != self) {
            Green.joinAll(List.of(acceptor.greenlet()), ConnectionsOnLoop.KILL_GRACE);
        }
        if (state != State.STOPPED) {
            state = State.STOPPED;
            bean.unregister();
            stopped.set();
        }
    }

    /**
     * The bound address, with the real port when port 0 was asked; before {@link #start()}, the requested one.
     * Any thread.
     *
     * @return the bound address, with the real port when port 0 was asked
     */
    public InetSocketAddress address() {
        Acceptor started = acceptor;
        return started != null ? started.address() : address;
    }

    /**
     * How many handlers are running now. Any thread.
     *
     * @return how many handlers are running now
     */
    public int activeHandlers() {
        ConnectionsOnLoop started = connections;
        return started == null ? 0 : started.handlers();
    }

    /**
     * The server's numbers: connections accepted, open, refused, closed for idleness, failed TLS handshakes, failed
     * accepts. Any thread; never waits for the loop.
     *
     * @return the numbers now
     */
    public ServerStats stats() {
        ConnectionsOnLoop started = connections;
        return started == null ? ServerStats.ZERO : started.counters.addTo(ServerStats.ZERO);
    }

    /**
     * Whether {@link #stop} has begun (or is over). Any thread.
     *
     * @return whether the server is stopping or stopped
     */
    public boolean stopping() {
        State now = state;
        return now == State.STOPPING || now == State.STOPPED;
    }

    /**
     * In a server's handler (a {@code StreamServer}'s or a {@link GroupServer}'s, plain or TLS): whether that server
     * is stopping, so that a keep-alive handler can end after its current request. {@code false} outside a handler
     * (and in greenlets a handler spawned). Any thread; never waits.
     *
     * @return whether the calling handler's server is stopping
     */
    public static boolean isStopping() {
        return LowLevel.currentGreenletBody() instanceof ServedConnection served && served.serverStopping();
    }

    /**
     * The server's name, "StreamServer-N", N counting the servers of this JVM: the {@code name} of its JMX bean.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /** Stops at once: {@link #stop(Duration)} with no grace. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    @Override
    public String toString() {
        return name + "[" + address() + ", " + state + "]";
    }
}
