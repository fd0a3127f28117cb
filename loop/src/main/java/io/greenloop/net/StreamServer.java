package io.greenloop.net;

import io.greenloop.Event;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.GreenletExit;
import io.greenloop.Loop;
import io.greenloop.Waiter;
import io.greenloop.internal.SafeLog;
import io.greenloop.lowlevel.LowLevel;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
 * <p>One loop per core: give each thread's loop its own server on the same port with
 * {@link Options#withReusePort(boolean) reusePort}, and the kernel spreads connections over them:
 * <pre>{@code
 * for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
 *     Thread.ofPlatform().name("loop-" + i).start(() -> {
 *         try (Loop loop = Loop.open()) {
 *             new StreamServer(new InetSocketAddress(8080), handler,
 *                     StreamServer.Options.defaults().withReusePort(true)).serveForever();
 *         } catch (IOException e) {
 *             throw new UncheckedIOException(e);
 *         }
 *     });
 * }
 * }</pre>
 *
 * <p>Thread rule: {@link #start()} binds the server to the calling thread's loop; from then on every
 * method on that loop's thread or its greenlets, else {@link IllegalStateException} naming the owner.
 */
public final class StreamServer implements AutoCloseable {

    /** How long {@link #stop(Duration)} waits for killed handlers to run their {@code finally} blocks. */
    static final Duration KILL_GRACE = Duration.ofSeconds(1);
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

    private final InetSocketAddress address;
    private final Handler handler;
    private final Options options;
    private final Set<Greenlet<Void>> handlers = new LinkedHashSet<>();
    private final AcceptBackoff backoff = new AcceptBackoff();
    private final Event stopped = new Event();
    private State state = State.NEW;
    private Loop loop;
    private TcpListener listener;
    private Greenlet<Void> acceptor;
    private Waiter<Void> capacity;

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
        Objects.requireNonNull(context, "context");
        return tls(address, () -> {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            return engine;
        }, handler, options);
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
     * Binds on the calling thread's loop and starts accepting in a greenlet; returns at once.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public void start() throws IOException {
        if (state == State.STOPPED && listener == null) {
            throw new IllegalStateException("this StreamServer was stopped before it started; make a new one to serve");
        }
        if (state != State.NEW) {
            throw new IllegalStateException("this StreamServer was started already (" + state + "); make a new one to serve again");
        }
        Loop current = Loop.current();
        TcpListener bound = TcpListener.bind(address, options.backlog(), options.reusePort());
        if (options.busyPoll() != null) {
            setBusyPoll(bound, options.busyPoll());
        }
        listener = bound;
        loop = current;
        state = State.SERVING;
        acceptor = loop.spawn(this::acceptLoop);
    }

    /**
     * Starts the server if needed, then waits (parks, or drives the loop on its owner thread) until it is stopped.
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    public void serveForever() throws IOException {
        if (state == State.NEW || (state == State.STOPPED && listener == null)) {
            start();
        }
        stopped.await();
    }

    /** Sets {@code SO_BUSY_POLL} on the listener, whose accepted sockets inherit it; closes it on a refusal. */
    private static void setBusyPoll(TcpListener listener, Duration busyPoll) throws IOException {
        int micros = (int) Math.ceilDiv(busyPoll.toNanos(), 1000L);
        try {
            listener.setOption(LinuxSocketOptions.SO_BUSY_POLL, micros);
        } catch (UnsupportedOperationException e) {
            listener.close();
            throw new UnsupportedOperationException("StreamServer.Options.withBusyPoll: the " + listener.transport()
                    + " transport cannot set SO_BUSY_POLL; it is Linux's, on the epoll transport (the JDK's channels, under"
                    + " nio, do not offer it): serve on epoll, or leave busy polling off", e);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /*
     * Only close()/stop() (or a kill) ends this greenlet: any other failure, even an Error out of the JDK
     * (out of descriptors, a JDK class that fails to load, as the first log record's time-zone data can), is counted,
     * logged (the log never throws) and followed by a back-off pause; fatal VM errors alone propagate.
     */
    private void acceptLoop() {
        while (state == State.SERVING) {
            awaitCapacity();
            if (state != State.SERVING) {
                return;
            }
            TcpSocket socket;
            try {
                socket = listener.accept();
            } catch (GreenletExit | VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                if (state != State.SERVING || listener.isClosed()) {
                    return;
                }
                pauseAfter(e);
                continue;
            }
            int failures = backoff.succeeded();
            if (failures > 0) {
                LOG.log(System.Logger.Level.INFO, "{0} is accepting again after {1} failed accepts", this, failures);
            }
            spawnHandler(socket);
        }
    }

    private void pauseAfter(Throwable error) {
        Duration pause = backoff.failed();
        if (backoff.incidentJustBegan()) {
            LOG.log(System.Logger.Level.WARNING, this + " failed to accept a connection; pausing accepts, "
                    + AcceptBackoff.FIRST_PAUSE.toMillis() + " ms doubling to " + AcceptBackoff.MAX_PAUSE.toMillis()
                    + " ms, until accepts succeed again", error);
        }
        Green.sleep(pause);
    }

    /** How many accepts failed since the server started (each one was followed by a pause). */
    long failedAccepts() {
        return backoff.total();
    }

    private void awaitCapacity() {
        while (handlers.size() >= options.maxConcurrentHandlers() && state == State.SERVING) {
            capacity = new Waiter<>("StreamServer waiting for one of its " + handlers.size() + " handlers to finish");
            try {
                capacity.await(null);
            } finally {
                capacity = null;
            }
        }
    }

    private void spawnHandler(TcpSocket socket) {
        Greenlet<Void> greenlet;
        try {
            InetSocketAddress peer = socket.remoteAddress();
            socket.acceptedBy(this);
            greenlet = loop.spawn(new ServedConnection(this, loop, socket, peer, handler, options.idleTimeout()));
        } catch (VirtualMachineError e) {
            socket.close();
            throw e;
        } catch (Throwable e) {
            // The connection is dropped, the server goes on: a peer gone before its address was read, say.
            socket.close();
            backoff.countFailure();
            LOG.log(System.Logger.Level.WARNING, this + " could not start a handler for a connection; it was closed", e);
            return;
        }
        handlers.add(greenlet);
        greenlet.link(this::handlerFinished);
    }

    private void handlerFinished(Greenlet<Void> greenlet) {
        handlers.remove(greenlet);
        if (capacity != null) {
            capacity.wake(null);
        }
    }

    /**
     * Stops accepting at once, waits up to {@code grace} for running handlers to finish, then kills the
     * rest with {@link GreenletExit} and waits (up to a second) for them to die. Parks a greenlet, or
     * drives the loop on its owner thread. A handler may stop its own server; it is not waited for.
     *
     * @param grace how long handlers may go on; {@code null}: no limit, wait for every handler to return and
     *              kill none (gevent's {@code stop(timeout=None)}); zero or less: kill them at once
     */
    public void stop(Duration grace) {
        if (state == State.NEW) {
            state = State.STOPPED;
            return;
        }
        LowLevel.requireLoopThread(loop, "StreamServer.stop");
        if (state == State.SERVING) {
            state = State.STOPPING;
            listener.close();
            if (capacity != null) {
                capacity.wake(null);
            }
        }
        List<Greenlet<?>> running = runningHandlers();
        if (!running.isEmpty() && (grace == null || grace.isPositive())) {
            Green.joinAll(running, grace);
        }
        for (Greenlet<?> greenlet : running) {
            greenlet.kill(new GreenletExit("its StreamServer stopped"), false, null);
        }
        if (acceptor != null) {
            running.add(acceptor);
        }
        running.removeIf(g -> g == Green.current());
        Green.joinAll(running, KILL_GRACE);
        state = State.STOPPED;
        stopped.set();
    }

    private List<Greenlet<?>> runningHandlers() {
        List<Greenlet<?>> running = new ArrayList<>(handlers.size());
        Greenlet<?> self = Green.current();
        for (Greenlet<Void> greenlet : handlers) {
            if (greenlet != self && !greenlet.ready()) {
                running.add(greenlet);
            }
        }
        return running;
    }

    /**
     * The bound address, with the real port when port 0 was asked; before {@link #start()}, the requested one.
     *
     * @return the bound address, with the real port when port 0 was asked
     */
    public InetSocketAddress address() {
        return listener != null ? listener.localAddress() : address;
    }

    /**
     * How many handlers are running now.
     *
     * @return how many handlers are running now
     */
    public int activeHandlers() {
        return handlers.size();
    }

    /** Stops at once: {@link #stop(Duration)} with no grace. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    @Override
    public String toString() {
        return "StreamServer[" + address() + ", " + state + "]";
    }
}
