package io.greenloop.spi.unix;

import io.greenloop.Waiter;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.StreamHandle;
import io.greenloop.spi.Transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test helpers: plain {@code java.net} peers on 127.0.0.1, and waiting for readiness through a {@link Waiter}. */
public final class Peers {

    /** Generous for a shared 2-core machine: no test should come near it. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);
    /** Any free port on 127.0.0.1, for binding. */
    public static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    private Peers() {
    }

    /** A connected pair: our handle on {@code transport} and the {@code java.net} socket at the other end. */
    public record Pair(StreamHandle handle, Socket peer) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            handle.close();
            peer.close();
        }
    }

    /**
     * Connects a new stream handle to a {@code java.net} listener and returns both ends. Needs no loop:
     * the kernel completes a loopback handshake by itself, before {@code accept} returns.
     */
    public static Pair connect(Transport transport) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(LOOPBACK_ANY_PORT);
            StreamHandle handle = transport.openStream(StandardProtocolFamily.INET);
            boolean connected = handle.connect((InetSocketAddress) server.getLocalSocketAddress());
            Socket peer = server.accept();
            peer.setSoTimeout((int) PATIENCE.toMillis());
            // accept() returned, so the handshake is over and finishConnect() needs no readiness wait.
            assertTrue(connected || handle.finishConnect(), "a loopback connect that was accepted has finished");
            return new Pair(handle, peer);
        }
    }

    /**
     * Parks the calling greenlet (or drives the loop, on its owner thread) until {@code handle} reports
     * {@code op}; returns the reported ops. Leaves interest and listener cleared.
     */
    public static int awaitReady(IoHandle handle, int op) {
        Waiter<Integer> waiter = new Waiter<Integer>("readiness " + op + " of " + handle).keepingLoopAlive();
        handle.listener(waiter::wake);
        handle.interest(op);
        try {
            assertTrue(waiter.await(PATIENCE), () -> handle + " did not report " + op + " within " + PATIENCE);
            return waiter.get();
        } finally {
            handle.interest(0);
            handle.listener(null);
        }
    }
}
