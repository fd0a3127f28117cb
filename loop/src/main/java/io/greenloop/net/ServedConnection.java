package io.greenloop.net;

import io.greenloop.Greenlet;
import io.greenloop.internal.ComponentTask;
import io.greenloop.internal.SafeLog;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * One accepted connection's greenlet body, wherever it runs (the server's loop, or the loop it was handed to):
 * runs the server's handler and closes the connection at the end. It ends in one of three ways, each logged on
 * {@link StreamServer#LOG}: the handler returns (nothing to say); the connection ends under it, the peer's doing
 * ({@link ConnectionFaults}, or the idle timeout closed it: one DEBUG line naming the server and the peer); or the
 * handler fails on its own (thrown on, to the loop's error handler, which as a {@link ComponentTask} names the
 * server, the peer and the greenlet). A server's connection counts its idle close and a failed TLS handshake in
 * the server's numbers. {@link StreamServer#isStopping()} finds the server through it, the body of the calling
 * greenlet ({@link #serverStopping()}), rather than through a scoped value bound around the handler: a binding
 * costs objects and stack frames that every idle keep-alive connection would keep while it waits. Loop thread
 * only, but {@link #serverStopping()}.
 */
final class ServedConnection implements Callable<Void>, Runnable, ComponentTask {

    /** The server that accepted it, named by its {@code toString()} when a line is logged; null: handed off by hand. */
    private final Object server;
    private final TcpSocket socket;
    private final InetSocketAddress peer;
    private final StreamServer.Handler handler;
    /** Null: no idle timeout. */
    private final Duration idleTimeout;
    /** The server's part on this loop; null for a connection handed off by hand ({@link TcpSocket#handOff}). */
    private final ConnectionsOnLoop part;
    /** The greenlet it runs in, once {@link #endsIn} was told; what {@link #run()} reports to {@link #part}. */
    private Greenlet<Void> greenlet;

    ServedConnection(Object server, TcpSocket socket, InetSocketAddress peer, StreamServer.Handler handler,
                     Duration idleTimeout, ConnectionsOnLoop part) {
        this.server = server;
        this.socket = Objects.requireNonNull(socket, "socket");
        this.peer = peer;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.idleTimeout = idleTimeout;
        this.part = part;
    }

    /** Runs the handler, then closes the connection: the greenlet's body. */
    @Override
    public Void call() throws Exception {
        IdleWatch idle = idleTimeout == null ? null : IdleWatch.start(socket.loop(), socket, idleTimeout);
        try {
            handler.handle(socket, peer);
        } catch (Exception e) {
            if (idle != null && idle.closedTheConnection()) {
                return null; // the handler's "socket closed" is the idle timeout's expected end, logged below
            }
            if (!ConnectionFaults.endedTheConnection(e)) {
                throw e;
            }
            if (part != null && e instanceof TlsServing.HandshakeFailure) {
                part.counters.handshakeFailed();
            }
            StreamServer.LOG.log(System.Logger.Level.DEBUG, "{0}: the connection with {1} ended: {2}", serverName(), peer, e);
        } finally {
            if (idle != null) {
                idle.cancel();
                if (idle.closedTheConnection()) {
                    if (part != null) {
                        part.counters.idleClosed();
                    }
                    StreamServer.LOG.log(System.Logger.Level.DEBUG, "{0}: closed the connection with {1}, idle for {2,number,#} ms",
                            serverName(), peer, idleTimeout.toMillis());
                }
            }
            socket.close();
        }
        return null;
    }

    /**
     * Tells it the greenlet it runs in, whose end it then reports to its server's part: it is the greenlet's
     * {@code onReady} callback itself ({@link #run()}), rather than a lambda beside it that every idle connection
     * would keep. Loop thread.
     */
    void endsIn(Greenlet<Void> running) {
        this.greenlet = running;
        running.onReady(this);
    }

    /** The greenlet ended (its body ran or not, say killed before it started): tells the server's part. Loop thread. */
    @Override
    public void run() {
        part.ended(greenlet, true);
    }

    /** Whether the server that accepted it is stopping; {@code false} for a connection handed off by hand. Any thread. */
    boolean serverStopping() {
        return part != null && part.stopping();
    }

    private Object serverName() {
        return server != null ? server : "a connection handed off with TcpSocket.handOff";
    }

    @Override
    public SafeLog log() {
        return StreamServer.LOG;
    }

    @Override
    public String describe() {
        return "the handler of " + serverName() + " for " + peer;
    }
}
