package io.greenloop.http;

import io.greenloop.AsyncResult;
import io.greenloop.Cancellable;
import io.greenloop.Loop;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;
import io.greenloop.net.TlsSocket;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * An {@link HttpServer}'s part on one loop: the connections it serves there, its counters, and the sweep that ends
 * connections past their deadline. Accepting (and the TLS handshake) is the loop module's: a {@link StreamServer} on
 * one loop, a {@link io.greenloop.net.GroupServer} across a group's, which also drains and stops the handlers.
 *
 * <p>The seam between accepting and serving is {@link #serve(TcpSocket, InetSocketAddress)} and
 * {@link #serveTls(TlsSocket, InetSocketAddress)}, the accepting server's handlers on this loop's thread. A stop
 * first {@link #beginStop() closes the idle connections and marks the rest to close after their response}, then
 * stops the accepting server with the grace, then {@link #end() ends} the part.
 *
 * <p>The sweep: one timer per server, every quarter of the shortest timeout (10 ms to 1 s) or at the earliest head
 * deadline it saw if that comes sooner, looks at each connection and ends those past their time. A connection pays no timer per request, and only a head that
 * arrives in pieces reads the clock.
 *
 * <p>Thread rule: the loop's thread (its greenlets), except {@link #counters} reads and {@link #stopped}.
 */
final class LoopServer {

    private static final long MIN_SWEEP_NANOS = Duration.ofMillis(10).toNanos();
    private static final long MAX_SWEEP_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long NONE = -1;

    final HttpServer owner;
    final Loop loop;
    final HttpHandler handler;
    final HttpServer.Options options;
    final LoopResources resources;
    final ServerCounters counters = new ServerCounters();
    /** Set when this loop's part has stopped; any thread may wait for it. */
    final AsyncResult<Void> stopped = new AsyncResult<>();
    private final long headTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long sweepNanos;
    private HttpConnection connections;
    private Cancellable sweep;
    private boolean stopping;

    LoopServer(HttpServer owner, Loop loop, HttpHandler handler, HttpServer.Options options) {
        this.owner = owner;
        this.loop = loop;
        this.handler = handler;
        this.options = options;
        this.resources = LoopResources.of(loop);
        this.headTimeoutNanos = nanosOrNone(options.requestHeadTimeout());
        this.idleTimeoutNanos = nanosOrNone(options.idleTimeout());
        this.sweepNanos = sweepPeriod(headTimeoutNanos, idleTimeoutNanos);
    }

    /** How the accepting server is set up for {@code options}: its handler limit, and the TLS handshake's limit. */
    static StreamServer.Options accepting(HttpServer.Options options) {
        StreamServer.Options accepting = StreamServer.Options.defaults().withMaxConcurrentHandlers(options.maxConnections());
        return options.requestHeadTimeout() == null ? accepting : accepting.withHandshakeTimeout(options.requestHeadTimeout());
    }

    private static long nanosOrNone(Duration timeout) {
        return timeout == null ? NONE : timeout.toNanos();
    }

    private static long sweepPeriod(long headNanos, long idleNanos) {
        long shortest = headNanos == NONE ? idleNanos : idleNanos == NONE ? headNanos : Math.min(headNanos, idleNanos);
        return shortest == NONE ? NONE : Math.clamp(shortest / 4, MIN_SWEEP_NANOS, MAX_SWEEP_NANOS);
    }

    /** A server-side engine offering http/1.1 by ALPN (RFC 7301), for a client that asks. */
    static SSLEngine engine(HttpServer.Options options) {
        SSLEngine engine = options.tls().createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** Starts the sweep, on this loop's thread. */
    void start() {
        if (sweepNanos != NONE) {
            sweep = loop.schedule(Duration.ofNanos(sweepNanos), this::sweep);
        }
    }

    /** Serves one accepted plain connection, in its greenlet, until it ends. */
    void serve(TcpSocket socket, InetSocketAddress peer) {
        new HttpConnection(this, Wire.plain(socket), peer).serve();
    }

    /** Serves one accepted TLS connection whose handshake is done, in its greenlet, until it ends. */
    void serveTls(TlsSocket socket, InetSocketAddress peer) {
        new HttpConnection(this, Wire.tls(socket), peer).serve();
    }

    void opened(HttpConnection connection) {
        connection.next = connections;
        if (connections != null) {
            connections.previous = connection;
        }
        connections = connection;
        counters.connectionOpened();
    }

    void closed(HttpConnection connection) {
        if (connection.previous != null) {
            connection.previous.next = connection.next;
        } else {
            connections = connection.next;
        }
        if (connection.next != null) {
            connection.next.previous = connection.previous;
        }
        connection.previous = null;
        connection.next = null;
        counters.connectionClosed();
    }

    private void sweep() {
        sweep = null;
        long now = System.nanoTime();
        long next = now + sweepNanos;
        for (HttpConnection c = connections; c != null; c = c.next) {
            String overdue = overdue(c, now);
            if (overdue != null) {
                c.end(overdue);
            } else if (c.deadline != HttpConnection.NO_DEADLINE && c.deadline - next < 0) {
                next = c.deadline;
            }
        }
        if (!stopped.ready()) {
            sweep = loop.schedule(Duration.ofNanos(Math.max(MIN_SWEEP_NANOS, next - now)), this::sweep);
        }
    }

    /**
     * Why {@code c} is past its time, or {@code null}. A head has an exact deadline. An idle or I/O wait is timed
     * from the first sweep that saw it begin (a new phase change), so it ends between one idle timeout and one
     * timeout plus a period after it began, never before.
     */
    private String overdue(HttpConnection c, long now) {
        if (c.deadline != HttpConnection.NO_DEADLINE) {
            return now - c.deadline >= 0 ? "its request head took longer than " + options.requestHeadTimeout() : null;
        }
        if (idleTimeoutNanos == NONE || (c.phase != HttpConnection.IDLE && c.phase != HttpConnection.IO)) {
            return null;
        }
        if (c.sweptChanges != c.phaseChanges) {
            c.sweptChanges = c.phaseChanges;
            c.sweptSince = now;
            return null;
        }
        if (now - c.sweptSince < idleTimeoutNanos) {
            return null;
        }
        return c.phase == HttpConnection.IO ? "the client moved no data for " + options.idleTimeout()
                : "it was idle for " + options.idleTimeout();
    }

    /** The deadline of a head that begins now: exact, since the head timeout is the one a slow client tests. */
    long headDeadline() {
        return headTimeoutNanos == NONE ? HttpConnection.NO_DEADLINE : System.nanoTime() + headTimeoutNanos;
    }

    boolean stopping() {
        return stopping;
    }

    /** Marks the server stopping: idle connections end now; the others answer with Connection: close and end. */
    void beginStop() {
        if (stopping) {
            return;
        }
        stopping = true;
        for (HttpConnection c = connections; c != null; c = c.next) {
            if (c.phase == HttpConnection.IDLE) {
                c.end("the server is stopping");
            }
        }
    }

    /** Ends this loop's part once its accepting server has stopped: the sweep ends, {@link #stopped} is set. Loop thread. */
    void end() {
        if (sweep != null) {
            sweep.cancel();
            sweep = null;
        }
        if (!stopped.ready()) {
            stopped.set(null);
        }
    }

    /** Socket writes so far, for tests that count them. */
    long writes() {
        return counters.writes();
    }

    @Override
    public String toString() {
        return owner.toString();
    }
}
