package io.greenloop.net;

import io.greenloop.Event;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.GreenletExit;
import io.greenloop.Loop;
import io.greenloop.Waiter;
import io.greenloop.internal.Deadline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A server's connections on one loop, plain or TLS, on one loop ({@link StreamServer}) or one of a group's
 * ({@link GroupServer}): each accepted connection it takes on gets a greenlet, which runs the handler
 * ({@link ServedConnection}) or, when the server refuses it, closes it cleanly; its counters; and the end of a
 * stop, the one drain every server shares: wait for the greenlets within the grace, then kill the rest.
 *
 * <p>A refused connection is closed with a FIN, never a reset: the server shuts its side, reads and drops what the
 * client sent until the client closes too (a close with unread bytes would send a reset), each read bounded by
 * {@link #REFUSED_LINGER}, as Apache httpd's lingering close does.
 *
 * <p>Thread rule: the loop's thread (its owner or its greenlets), except {@link #counters}' reads.
 */
final class ConnectionsOnLoop {

    /** How long a refused connection waits for each read of what its client still sends, before it is closed anyway. */
    static final Duration REFUSED_LINGER = Duration.ofSeconds(2);
    /** How long killed greenlets get to run their {@code finally} blocks at the end of a stop. */
    static final Duration KILL_GRACE = Duration.ofSeconds(1);

    final Loop loop;
    final ServerCounters counters = new ServerCounters();
    /** The server, named by its {@code toString()} in log lines. */
    final Object server;
    private final BooleanSupplier stopping;
    private final StreamServer.Handler handler;
    private final Duration idleTimeout;
    private final HandlerLimit limit;
    private final Set<Greenlet<Void>> running = new LinkedHashSet<>();
    /** A stop waiting for the greenlets to end, woken as each one does. */
    private Waiter<Void> draining;
    /** The stop's deadline once one has begun, {@code null} before. */
    private Deadline stopDeadline;
    /** The greenlets that asked for the stop: neither waited for nor killed. */
    private final Set<Greenlet<?>> exempt = new HashSet<>();
    /** Set when the stop has ended; what a second stop waits for. */
    private final Event stopped = new Event();
    /** The stop's waiting is over: later connections are closed at once. */
    private boolean finished;

    ConnectionsOnLoop(Object server, Loop loop, BooleanSupplier stopping, StreamServer.Handler handler,
                      Duration idleTimeout, HandlerLimit limit) {
        this.server = server;
        this.loop = loop;
        this.stopping = stopping;
        this.handler = handler;
        this.idleTimeout = idleTimeout;
        this.limit = limit;
    }

    /** Whether the server is stopping. Any thread. */
    boolean stopping() {
        return stopping.getAsBoolean();
    }

    /**
     * Takes on an accepted connection of this loop: runs the handler for it ({@code serve}, a handler slot taken
     * for it) or refuses it; after the stop has ended, closes it. Throws only when no greenlet could be started (the
     * loop is closing): the connection is then counted as refused, its slot given back, and still the caller's to close.
     */
    void take(TcpSocket socket, InetSocketAddress peer, boolean serve) {
        if (finished) {
            socket.close();
            counters.refused();
            if (serve) {
                limit.release();
            }
            return;
        }
        ServedConnection served = serve ? new ServedConnection(server, socket, peer, handler, idleTimeout, this) : null;
        Greenlet<Void> greenlet;
        try {
            greenlet = served != null ? loop.spawn(served) : loop.spawn(() -> closeRefused(socket));
        } catch (RuntimeException loopClosing) {
            counters.refused();
            if (serve) {
                limit.release();
            }
            throw loopClosing;
        }
        counters.opened();
        if (serve) {
            counters.handlerStarted();
        } else {
            counters.refused();
        }
        running.add(greenlet);
        // onReady, not link(): link wraps its callback in one more object, which an idle connection would keep
        if (served != null) {
            served.endsIn(greenlet);
        } else {
            greenlet.onReady(() -> ended(greenlet, false));
        }
    }

    /** {@code greenlet}, one of this part's, ended; {@code served}: it ran the handler (else it closed a refused one). */
    void ended(Greenlet<Void> greenlet, boolean served) {
        running.remove(greenlet);
        counters.closed();
        if (served) {
            counters.handlerEnded();
            limit.release();
        }
        if (draining != null) {
            draining.wake(null);
        }
    }

    /** Shuts our side (a FIN), drops what the client still sends until it closes too, then closes. */
    private static void closeRefused(TcpSocket socket) {
        try {
            socket.shutdownOutput();
            socket.setTimeout(REFUSED_LINGER);
            byte[] dropped = new byte[1024];
            while (socket.read(dropped, 0, dropped.length) >= 0) {
                // read and dropped: unread bytes at close would make it a reset
            }
        } catch (IOException peerGoneOrSilent) {
            // closed below all the same
        } finally {
            socket.close();
        }
    }

    /** The handlers running on this loop now, from any thread. */
    int handlers() {
        return counters.handlers();
    }

    /**
     * The end of a stop on this loop, the accepting already stopped: waits until {@code deadline} for the greenlets
     * to end, then kills the rest ({@link GreenletExit}) and waits up to {@link #KILL_GRACE} for them to die.
     * {@code caller} (the greenlet that asked for the stop, maybe a handler) is neither waited for nor killed.
     * Later connections are closed. A second stop while one is under way brings its end forward if its deadline
     * is sooner ({@code close()} during a graceful stop), and waits for it. Parks, or drives the loop on its owner
     * thread.
     */
    void finish(Deadline deadline, Greenlet<?> caller) {
        if (caller != null) {
            exempt.add(caller);
        }
        if (stopDeadline != null) {
            if (sooner(deadline, stopDeadline)) {
                stopDeadline = deadline;
                if (draining != null) {
                    draining.wake(null);
                }
            }
            stopped.await();
            return;
        }
        stopDeadline = deadline;
        try {
            while (!stopDeadline.passed() && !others().isEmpty()) {
                draining = new Waiter<>("a stopping server waiting for its " + running.size() + " handlers to finish");
                try {
                    draining.await(stopDeadline.remaining());
                } finally {
                    draining = null;
                }
            }
        } finally {
            finished = true;
        }
        List<Greenlet<?>> rest = others();
        for (Greenlet<?> greenlet : rest) {
            greenlet.kill(new GreenletExit("its server stopped"), false, null);
        }
        try {
            if (!rest.isEmpty()) {
                Green.joinAll(rest, KILL_GRACE);
            }
        } finally {
            stopped.set();
        }
    }

    private static boolean sooner(Deadline candidate, Deadline current) {
        return !candidate.isNone() && (current.isNone() || candidate.nanoTime() - current.nanoTime() < 0);
    }

    /**
     * The greenlets a stop waits for: those not yet seen to end (so that the counts are right once it returns), but
     * not the ones that asked for the stop.
     */
    private List<Greenlet<?>> others() {
        List<Greenlet<?>> others = new ArrayList<>(running.size());
        for (Greenlet<Void> greenlet : running) {
            if (!exempt.contains(greenlet)) {
                others.add(greenlet);
            }
        }
        return others;
    }
}
