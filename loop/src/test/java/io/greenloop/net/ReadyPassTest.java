package io.greenloop.net;

import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every greenlet that one poll woke runs before the loop polls again: a pass of the ready queue is never cut
 * short, however long it takes. A level-triggered poller (nio) would otherwise report again, at every poll, the
 * sockets whose greenlets have not read yet (with 1,000 busy connections that halved greenloop's requests per
 * second on nio). Seen through the poll count each woken greenlet reads from {@link Loop#stats()}.
 */
class ReadyPassTest {

    private static final int CONNECTIONS = 100;
    /** Each woken reader's work: 100 of them take 2 ms, twenty times the ready phase's 100 µs bound. */
    private static final long WORK_NANOS = 20_000;

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    @Test
    void everyGreenletThatOnePollWokeRunsBeforeTheNextPoll() throws Exception {
        Loop loop = loops.loop();
        List<Socket> clients = new ArrayList<>();
        List<TcpSocket> accepted = new ArrayList<>();
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), CONNECTIONS)) {
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(new Socket("127.0.0.1", listener.localAddress().getPort()));  // the kernel's backlog takes them
                accepted.add(listener.accept());
            }
            long[] pollsSeen = new long[CONNECTIONS];
            List<Greenlet<Void>> readers = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                int index = i;
                TcpSocket socket = accepted.get(i);
                readers.add(loop.spawn(() -> {
                    socket.read(new byte[1], 0, 1);
                    pollsSeen[index] = loop.stats().polls();
                    spin(WORK_NANOS);
                }));
            }
            while (loop.stats().ioWaiters() < CONNECTIONS) {
                loop.runOnce(false);  // until every reader is parked on its empty socket
            }
            for (Socket client : clients) {
                client.getOutputStream().write('x');  // loopback: in the server socket's receive queue on return
            }
            for (Greenlet<Void> reader : readers) {
                reader.get();
            }
            assertEquals(1, Arrays.stream(pollsSeen).distinct().count(),
                    "the readers that one poll woke ran across polls " + Arrays.toString(Arrays.stream(pollsSeen).distinct().toArray()));
        } finally {
            for (TcpSocket socket : accepted) {
                socket.close();
            }
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }
}
