package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.GreenletExit;
import io.greenloop.Loop;
import io.greenloop.Waiter;
import io.greenloop.lowlevel.LowLevel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * A server's listener on one loop and the greenlet that accepts from it, handing each connection to the server's
 * connections on this loop or, for a group served through one acceptor thread, on another loop ({@link Sink}).
 * Before each accept it takes a handler slot ({@link HandlerLimit}): beyond the limit new connections wait in the
 * kernel's backlog. Accept failures (out of descriptors) pause it, 10 ms doubling to a second ({@link AcceptBackoff}),
 * logged once per run of failures; only {@link #stopAccepting()} (or a kill) ends it.
 *
 * <p>{@link #stopAccepting()} drains the accept queue before it closes the listener: a connection the kernel
 * already accepted would otherwise be reset by the close (on Linux, also for an {@code SO_REUSEPORT} listener,
 * whose queue is not moved to the others). Each one drained is served while a handler slot is free, else refused
 * with a clean close ({@link ConnectionsOnLoop}).
 *
 * <p>Thread rule: the loop's thread, except {@link #slotFreed()}, on any.
 */
final class Acceptor {

    /** Where an accepted connection goes; on the acceptor's loop, owning the socket once it returns normally. */
    @FunctionalInterface
    interface Sink {
        /**
         * Takes on {@code socket} from {@code peer}: runs the handler for it when {@code serve} (a handler slot taken
         * for it), else refuses it. Throws when it could not, having counted the connection as refused and given its
         * slot back; the socket is then the caller's to close.
         */
        void take(TcpSocket socket, InetSocketAddress peer, boolean serve) throws IOException;
    }

    private final Object server;
    private final Loop loop;
    private final TcpListener listener;
    private final ServerCounters counters;
    private final HandlerLimit limit;
    private final Sink sink;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private Greenlet<Void> greenlet;
    private boolean accepting = true;
    /** The accepting greenlet parked for a handler slot, or {@code null}. */
    private Waiter<Void> slot;
    /** Whether it waits for a slot: the one field {@link #slotFreed()} reads from other threads. */
    private volatile boolean awaitingSlot;

    private Acceptor(Object server, Loop loop, TcpListener listener, ServerCounters counters, HandlerLimit limit, Sink sink) {
        this.server = server;
        this.loop = loop;
        this.listener = listener;
        this.counters = counters;
        this.limit = limit;
        this.sink = sink;
    }

    /**
     * Binds {@code address} on the calling thread's loop (with {@code SO_BUSY_POLL} when the options ask for it)
     * and starts accepting in a greenlet; returns at once. Counts on {@code counters}, which belong to the same loop.
     */
    static Acceptor start(Object server, InetSocketAddress address, StreamServer.Options options, ServerCounters counters,
                          HandlerLimit limit, Sink sink) throws IOException {
        Loop loop = Loop.current();
        TcpListener listener = TcpListener.bind(address, options.backlog(), options.reusePort());
        if (options.busyPoll() != null) {
            setBusyPoll(listener, options.busyPoll());
        }
        Acceptor acceptor = new Acceptor(server, loop, listener, counters, limit, sink);
        limit.add(acceptor);
        try {
            acceptor.greenlet = loop.spawn(acceptor::acceptLoop);
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        return acceptor;
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

    InetSocketAddress address() {
        return listener.localAddress();
    }

    Loop loop() {
        return loop;
    }

    /** The accepting greenlet, which ends soon after {@link #stopAccepting()}. */
    Greenlet<Void> greenlet() {
        return greenlet;
    }

    /*
     * Only stopAccepting() (or a kill) ends this greenlet: any other failure, even an Error out of the JDK
     * (out of descriptors, a JDK class that fails to load, as the first log record's time-zone data can), is counted,
     * logged (the log never throws) and followed by a back-off pause; fatal VM errors alone propagate.
     */
    private void acceptLoop() {
        while (accepting) {
            TcpSocket socket;
            try {
                socket = limit.limited() ? acceptWithinLimit() : listener.accept();
            } catch (GreenletExit | VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                if (!accepting || listener.isClosed()) {
                    return;
                }
                counters.acceptFailed();
                pauseAfter(e);
                continue;
            }
            if (socket == null) {
                return;  // stopped while waiting for a handler slot
            }
            int failures = backoff.succeeded();
            if (failures > 0) {
                StreamServer.LOG.log(System.Logger.Level.INFO, "{0} is accepting again after {1} failed accepts", server, failures);
            }
            counters.accepted();
            handOver(socket, true);
        }
    }

    /**
     * The next connection with a handler slot taken for it, or {@code null} when the accepting stopped. It never
     * parks holding a slot: the limit may be shared with the listeners of other loops, whose connections would wait
     * for a slot held by a listener that has none. So it takes a slot, tries to accept without waiting, and when no
     * connection is there gives the slot back and parks until one comes; beyond the limit, connections wait in
     * the backlog.
     */
    private TcpSocket acceptWithinLimit() throws IOException {
        while (awaitSlot()) {
            TcpSocket socket;
            try {
                socket = listener.acceptNow();
            } catch (IOException | RuntimeException e) {
                limit.release();
                throw e;
            }
            if (socket != null) {
                return socket;
            }
            limit.release();
            listener.awaitConnection();
        }
        return null;
    }

    private void pauseAfter(Throwable error) {
        Duration pause = backoff.failed();
        if (backoff.incidentJustBegan()) {
            StreamServer.LOG.log(System.Logger.Level.WARNING, server + " failed to accept a connection; pausing accepts, "
                    + AcceptBackoff.FIRST_PAUSE.toMillis() + " ms doubling to " + AcceptBackoff.MAX_PAUSE.toMillis()
                    + " ms, until accepts succeed again", error);
        }
        Green.sleep(pause);
    }

    /** Takes a handler slot, parking while none is free; {@code false} when the accepting stopped meanwhile. */
    private boolean awaitSlot() {
        while (!limit.tryTake()) {
            slot = new Waiter<Void>("a server waiting for one of its handlers to finish").keepingLoopAlive();
            awaitingSlot = true;
            try {
                if (limit.tryTake()) {  // a slot freed between the first try and the mark: it would wake nobody
                    return true;
                }
                slot.await(null);
            } finally {
                awaitingSlot = false;
                slot = null;
            }
            if (!accepting) {
                return false;
            }
        }
        if (!accepting) {
            limit.release();
            return false;
        }
        return true;
    }

    /** A handler slot was freed, maybe on another loop: wakes the accepting greenlet if it waits for one. Any thread. */
    void slotFreed() {
        if (awaitingSlot) {
            try {
                LowLevel.handOff(loop, this::wakeSlotWaiter);
            } catch (RejectedExecutionException loopClosed) {
                // the loop is gone, and its accepting with it
            }
        }
    }

    private void wakeSlotWaiter() {
        if (slot != null) {
            slot.wake(null);
        }
    }

    /** Gives an accepted connection to the sink; one that cannot be taken on is closed (and counted as refused). */
    private void handOver(TcpSocket socket, boolean serve) {
        InetSocketAddress peer;
        try {
            peer = socket.remoteAddress();
        } catch (RuntimeException e) {
            // The connection is dropped, the server goes on: a peer gone before its address was read, say.
            socket.close();
            counters.refused();
            if (serve) {
                limit.release();
            }
            StreamServer.LOG.log(System.Logger.Level.DEBUG, "{0}: a connection was gone before it could be served: {1}", server, e);
            return;
        }
        socket.acceptedBy(server);
        try {
            sink.take(socket, peer, serve);
        } catch (VirtualMachineError e) {
            socket.close();
            throw e;
        } catch (Throwable e) {
            socket.close();
            StreamServer.LOG.log(System.Logger.Level.WARNING, server + " could not start a handler for the connection from "
                    + peer + "; it was closed", e);
        }
    }

    /**
     * Stops accepting at once: takes on every connection already in the accept queue (served while handler slots
     * are free, else refused with a clean close), then closes the listener and wakes the accepting greenlet, which
     * ends. Runs to its end without parking, so that no connection arrives between the drain and the close unless
     * it came that same instant. Idempotent.
     */
    void stopAccepting() {
        if (!accepting) {
            return;
        }
        accepting = false;
        try {
            for (TcpSocket socket; (socket = listener.acceptNow()) != null; ) {
                counters.accepted();
                handOver(socket, limit.tryTake());
            }
        } catch (IOException e) {
            counters.acceptFailed();
            StreamServer.LOG.log(System.Logger.Level.WARNING, server + " could not take on every connection waiting to be"
                    + " accepted as it stopped; those left are reset as the listener closes", e);
        } finally {
            listener.close();
            wakeSlotWaiter();
        }
    }
}
