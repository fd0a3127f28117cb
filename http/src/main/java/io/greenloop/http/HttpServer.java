package io.greenloop.http;

import io.greenloop.AsyncResult;
import io.greenloop.Loop;
import io.greenloop.LoopGroup;
import io.greenloop.lowlevel.LowLevel;
import io.greenloop.net.GroupServer;
import io.greenloop.net.StreamServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on greenloop, gevent's {@code pywsgi}: one greenlet per connection runs the
 * {@link HttpHandler} for each of its requests, in blocking style, while the loop serves the others.
 * <pre>{@code
 * HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", 8080),
 *         (request, response) -> response.send("Hello, World!"));
 * server.serveForever();
 * }</pre>
 *
 * <p>What it speaks: HTTP/1.1 keep-alive and pipelining (responses in order; those ready together leave in one
 * write), HTTP/1.0 (keep-alive only when asked), request bodies by Content-Length or chunked, 100-continue
 * (sent when the handler first waits for the body), responses by Content-Length, chunked or until close,
 * HEAD, Upgrade, files by {@code sendfile(2)}, TLS with ALPN {@code http/1.1} ({@link Options#withTls}).
 *
 * <p>What it refuses, without calling a handler, and then closes the connection: a malformed request line or
 * header, obs-fold, whitespace before a colon, a bare CR, a missing or repeated Host (HTTP/1.1), Content-Length
 * and Transfer-Encoding together, differing Content-Lengths, a Transfer-Encoding not ending in chunked or on
 * HTTP/1.0, a bad chunk size (all 400); an unknown transfer coding (501); another major HTTP version (505); an
 * expectation other than 100-continue (417); and the {@link Options limits}: request line (414), head and
 * header count (431), body (413). A head must arrive within {@link Options#requestHeadTimeout()}, however
 * slowly its bytes trickle; a connection idle between requests closes after {@link Options#idleTimeout()}.
 *
 * <p>Thread rule: {@link #start(InetSocketAddress, HttpHandler, Options) start} binds to the calling thread's
 * loop (a {@link LoopGroup}'s loops for the group form). {@link #stop}, {@link #close}, {@link #serveForever},
 * {@link #stats} and {@link #address} may be called from any thread: a greenlet parks, the loop's owner thread
 * drives its loop, another thread (a shutdown hook) blocks.
 */
public final class HttpServer implements AutoCloseable {

    private static final AtomicInteger SERVERS = new AtomicInteger();

    /**
     * The limits and options of a server; {@link #defaults()}, then {@code with...} copies.
     *
     * @param tls                 serve TLS with this context ({@code null}: plain text); ALPN offers http/1.1
     * @param maxRequestLineBytes the longest request line (longer: 414)
     * @param maxHeadBytes        the longest head, request line and CRLFs included; chunk extensions and
     *                            trailers count against it too (longer: 431)
     * @param maxBodyBytes        the longest request body (longer: 413)
     * @param maxHeaderFields     the most header fields in a request (more: 431)
     * @param requestHeadTimeout  the whole head must arrive within this, from its first byte (from the accept for a
     *                            connection's first request; also the TLS handshake's limit); {@code null}: no limit
     * @param idleTimeout         a keep-alive connection idle this long between requests closes, and so does one
     *                            whose client moves no data this long while a response or body waits for it;
     *                            {@code null}: no limit
     * @param maxConnections      connections served at once; beyond it new ones wait in the listen backlog
     */
    public record Options(SSLContext tls, int maxRequestLineBytes, int maxHeadBytes, long maxBodyBytes,
                          int maxHeaderFields, Duration requestHeadTimeout, Duration idleTimeout, int maxConnections) {

        /** No limit on connections. */
        public static final int UNLIMITED = Integer.MAX_VALUE;

        /** Checks the values. */
        public Options {
            positive("maxRequestLineBytes", maxRequestLineBytes);
            positive("maxHeadBytes", maxHeadBytes);
            positive("maxHeaderFields", maxHeaderFields);
            positive("maxConnections", maxConnections);
            if (maxBodyBytes < 0) {
                throw new IllegalArgumentException("maxBodyBytes " + maxBodyBytes + " is negative; use 0 to refuse every body");
            }
            positiveOrNull("requestHeadTimeout", requestHeadTimeout);
            positiveOrNull("idleTimeout", idleTimeout);
        }

        private static void positive(String name, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " " + value + " would refuse every request; use at least 1");
            }
        }

        private static void positiveOrNull(String name, Duration value) {
            if (value != null && !value.isPositive()) {
                throw new IllegalArgumentException(name + " " + value + " would end every connection at once;"
                        + " give a positive duration, or null for no limit");
            }
        }

        /**
         * Plain text; request line 8 KiB, head 64 KiB, body 10 MiB, 100 fields, head within 10 s, idle 60 s, unlimited connections.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(null, 8 * 1024, 64 * 1024, 10L * 1024 * 1024, 100, Duration.ofSeconds(10),
                    Duration.ofSeconds(60), UNLIMITED);
        }

        /**
         * These options serving TLS with {@code context} (ALPN http/1.1); {@code null}: plain text.
         *
         * @param context the server's TLS context, or {@code null}
         * @return the new options
         */
        public Options withTls(SSLContext context) {
            return new Options(context, maxRequestLineBytes, maxHeadBytes, maxBodyBytes, maxHeaderFields,
                    requestHeadTimeout, idleTimeout, maxConnections);
        }

        /**
         * These options with another request-line limit.
         *
         * @param bytes the longest request line
         * @return the new options
         */
        public Options withMaxRequestLineBytes(int bytes) {
            return new Options(tls, bytes, maxHeadBytes, maxBodyBytes, maxHeaderFields, requestHeadTimeout,
                    idleTimeout, maxConnections);
        }

        /**
         * These options with another head limit.
         *
         * @param bytes the longest head
         * @return the new options
         */
        public Options withMaxHeadBytes(int bytes) {
            return new Options(tls, maxRequestLineBytes, bytes, maxBodyBytes, maxHeaderFields, requestHeadTimeout,
                    idleTimeout, maxConnections);
        }

        /**
         * These options with another body limit.
         *
         * @param bytes the longest body
         * @return the new options
         */
        public Options withMaxBodyBytes(long bytes) {
            return new Options(tls, maxRequestLineBytes, maxHeadBytes, bytes, maxHeaderFields, requestHeadTimeout,
                    idleTimeout, maxConnections);
        }

        /**
         * These options with another limit on header fields.
         *
         * @param n the most header fields
         * @return the new options
         */
        public Options withMaxHeaderFields(int n) {
            return new Options(tls, maxRequestLineBytes, maxHeadBytes, maxBodyBytes, n, requestHeadTimeout,
                    idleTimeout, maxConnections);
        }

        /**
         * These options with another head timeout ({@code null}: none).
         *
         * @param timeout the limit, or {@code null}
         * @return the new options
         */
        public Options withRequestHeadTimeout(Duration timeout) {
            return new Options(tls, maxRequestLineBytes, maxHeadBytes, maxBodyBytes, maxHeaderFields, timeout,
                    idleTimeout, maxConnections);
        }

        /**
         * These options with another idle timeout ({@code null}: none).
         *
         * @param timeout the limit, or {@code null}
         * @return the new options
         */
        public Options withIdleTimeout(Duration timeout) {
            return new Options(tls, maxRequestLineBytes, maxHeadBytes, maxBodyBytes, maxHeaderFields,
                    requestHeadTimeout, timeout, maxConnections);
        }

        /**
         * These options with another limit on connections served at once.
         *
         * @param n the most connections served at once
         * @return the new options
         */
        public Options withMaxConnections(int n) {
            return new Options(tls, maxRequestLineBytes, maxHeadBytes, maxBodyBytes, maxHeaderFields,
                    requestHeadTimeout, idleTimeout, n);
        }
    }

    /**
     * A server's numbers, summed over its loops.
     *
     * @param connectionsAccepted connections accepted (on TLS, those whose handshake succeeded)
     * @param connectionsOpen     connections open now
     * @param requests            requests handed to a handler
     * @param responses4xx        responses with a 4xx status, refusals included
     * @param responses5xx        responses with a 5xx status, refusals and failed handlers' 500s included
     * @param rejected            requests refused as malformed or over a limit
     */
    public record Stats(long connectionsAccepted, int connectionsOpen, long requests, long responses4xx,
                        long responses5xx, long rejected) { }

    private final String name;
    private final List<LoopServer> parts = new CopyOnWriteArrayList<>();
    private final HttpServerBean bean = new HttpServerBean(this);
    private volatile InetSocketAddress address;
    /** What accepts on one loop ({@link #start(InetSocketAddress, HttpHandler, Options)}); {@code null} for a group. */
    private volatile StreamServer single;
    /** What accepts across a group; {@code null} on one loop. */
    private volatile GroupServer group;

    private HttpServer(InetSocketAddress requested) {
        this.name = "HttpServer-" + SERVERS.incrementAndGet();
        this.address = requested;
    }

    /**
     * Starts serving {@code address} (port 0: any free port) on the calling thread's loop with {@link Options#defaults()}.
     *
     * @param address where to listen
     * @param handler what serves each request
     * @return the server, serving
     * @throws IOException when the address cannot be bound
     */
    public static HttpServer start(InetSocketAddress address, HttpHandler handler) throws IOException {
        return start(address, handler, Options.defaults());
    }

    /**
     * Starts serving {@code address} on the calling thread's loop; accepting runs in a greenlet; returns at once.
     *
     * @param address where to listen
     * @param handler what serves each request
     * @param options limits, timeouts, TLS
     * @return the server, serving
     * @throws IOException when the address cannot be bound
     */
    public static HttpServer start(InetSocketAddress address, HttpHandler handler, Options options) throws IOException {
        check(address, handler, options);
        HttpServer server = new HttpServer(address);
        LoopServer part = new LoopServer(server, Loop.current(), handler, options);
        StreamServer accepting = options.tls() == null
                ? new StreamServer(address, part::serve, LoopServer.accepting(options))
                : StreamServer.tls(address, () -> LoopServer.engine(options), part::serveTls, LoopServer.accepting(options));
        accepting.start();
        part.start();
        server.parts.add(part);
        server.single = accepting;
        server.address = accepting.address();
        server.bean.register();
        return server;
    }

    /**
     * Starts serving {@code address} on every loop of {@code group} ({@link LoopGroup#serve}: a listener per loop on
     * the same port where the kernel balances them, Linux, else one acceptor thread), each connection served on its
     * loop; {@link Options#maxConnections()} holds for the whole server. Returns once every loop listens. Call it
     * from outside the group's loops or from a greenlet.
     *
     * @param group   the loops to serve on
     * @param address where to listen
     * @param handler what serves each request (on the loop of its connection)
     * @param options limits, timeouts, TLS
     * @return the server, serving
     * @throws IOException when the address cannot be bound
     */
    public static HttpServer start(LoopGroup group, InetSocketAddress address, HttpHandler handler, Options options)
            throws IOException {
        Objects.requireNonNull(group, "group");
        check(address, handler, options);
        HttpServer server = new HttpServer(address);
        Map<Loop, LoopServer> partOn = new IdentityHashMap<>();
        for (Loop loop : group.loops()) {
            LoopServer part = new LoopServer(server, loop, handler, options);
            partOn.put(loop, part);
            server.parts.add(part);
        }
        try {
            for (LoopServer part : server.parts) {
                await(LowLevel.runOn(part.loop, part::start, false));
            }
            server.group = options.tls() == null
                    ? group.serve(address, LoopServer.accepting(options), (socket, peer) -> partOn.get(Loop.current()).serve(socket, peer))
                    : group.serveTls(address, () -> LoopServer.engine(options), LoopServer.accepting(options),
                            (socket, peer) -> partOn.get(Loop.current()).serveTls(socket, peer));
        } catch (IOException | RuntimeException e) {
            server.stop(Duration.ZERO);
            throw e;
        }
        server.address = server.group.address();
        server.bean.register();
        return server;
    }

    private static void check(InetSocketAddress address, HttpHandler handler, Options options) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
    }

    /**
     * The bound address, with the real port when port 0 was asked.
     *
     * @return the bound address
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The server's numbers now, summed over its loops; any thread, never waits.
     *
     * @return the numbers
     */
    public Stats stats() {
        Stats sum = new Stats(0, 0, 0, 0, 0, 0);
        for (LoopServer part : parts) {
            sum = part.counters.addTo(sum);
        }
        return sum;
    }

    /**
     * Waits until the server has stopped (pywsgi's {@code serve_forever}): on its loop's owner thread, drives the loop.
     *
     * @throws IOException not thrown by this server, which started listening in {@code start}; declared as for {@code StreamServer}
     */
    public void serveForever() throws IOException {
        for (LoopServer part : parts) {
            await(part.stopped);
        }
    }

    /**
     * Stops accepting at once; idle keep-alive connections close; requests in flight may finish within
     * {@code grace}, answered with {@code Connection: close}; then what remains is killed (each gets a second
     * to run its {@code finally} blocks). {@code null}: wait for the requests in flight without a limit. Returns
     * when every loop's part has stopped; from any thread (see the class comment). Idempotent.
      *
      * @param grace how long requests in flight may go on ({@code null}: no limit; zero: none)
     */
    public void stop(Duration grace) {
        List<AsyncResult<Void>> marked = new ArrayList<>();
        for (LoopServer part : parts) {
            marked.add(LowLevel.runOn(part.loop, part::beginStop, false));
        }
        marked.forEach(HttpServer::await);
        StreamServer one = single;
        GroupServer across = group;
        if (one != null) {
            await(LowLevel.runOn(parts.getFirst().loop, () -> one.stop(grace), true));
        } else if (across != null) {
            across.stop(grace);
        }
        List<AsyncResult<Void>> ended = new ArrayList<>();
        for (LoopServer part : parts) {
            ended.add(LowLevel.runOn(part.loop, part::end, false));
        }
        ended.forEach(HttpServer::await);
        bean.unregister();
    }

    private static void await(AsyncResult<Void> done) {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("starting or stopping an HTTP server failed on a loop", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an HTTP server's loops", e);
        }
    }

    /** {@link #stop(Duration)} without grace: requests in flight are killed at once. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    /**
     * The name of its JMX bean: "HttpServer-N", N counting the servers of this JVM.
     *
     * @return the server's name
     */
    public String name() {
        return name;
    }

    /** The parts of the server, one per loop (tests look at their socket writes). */
    List<LoopServer> parts() {
        return parts;
    }

    @Override
    public String toString() {
        return name + "[" + address + "]";
    }
}
