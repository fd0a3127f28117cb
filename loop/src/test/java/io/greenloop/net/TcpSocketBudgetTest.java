package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.LoopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket budget: a greenlet whose reads (or writes) keep succeeding yields now and then, so that the
 * others on its loop still run. Counted in operations between the turns of a greenlet beside it, not timed.
 */
class TcpSocketBudgetTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Small enough to sit whole in the reader's receive buffer before it starts, on loopback. */
    private static final int STREAM_BYTES = 16 * 1024;
    private static final int CHUNK_BYTES = 8;
    /** A few budgets' worth (the budget is 16 operations): without one, all 2,048 operations would run in one turn. */
    private static final int MOST_OPERATIONS_BETWEEN_TURNS = 64;

    @RegisterExtension
    final LoopExtension loops = new LoopExtension();

    @Test
    void aReaderWhoseReadsKeepSucceedingLetsAnotherGreenletRunEveryFewReads() throws Exception {
        Loop loop = loops.loop();
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), 8);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), Duration.ofSeconds(10));
             TcpSocket accepted = listener.accept()) {
            accepted.write(ByteBuffer.allocate(STREAM_BYTES));
            accepted.shutdownOutput();
            assertOthersRunEveryFewOperations(loop, operations -> {
                ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
                int total = 0;
                for (int n; (n = client.read(buffer.clear())) > 0; ) {
                    total += n;
                    operations[0]++;
                }
                return total;
            });
        }
    }

    @Test
    void aWriterWhoseWritesKeepSucceedingLetsAnotherGreenletRunEveryFewWrites() throws Exception {
        Loop loop = loops.loop();
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress("127.0.0.1", 0), 8);
             TcpSocket client = TcpSocket.connect(listener.localAddress(), Duration.ofSeconds(10));
             TcpSocket accepted = listener.accept()) {
            assertOthersRunEveryFewOperations(loop, operations -> {
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
                for (int sent = 0; sent < STREAM_BYTES; sent += CHUNK_BYTES) {
                    client.write(chunk.clear());  // the send and receive buffers hold it all: no write parks
                    operations[0]++;
                }
                return STREAM_BYTES;
            });
        }
    }

    /** What a greenlet does with sockets: it counts each operation in {@code operations[0]} and returns the bytes moved. */
    @FunctionalInterface
    private interface SocketWork {
        int run(int[] operations) throws Exception;
    }

    /**
     * Runs {@code work} in one greenlet beside another that takes turns with {@code Green.sleep()}, and
     * checks that the other got a turn at least every {@value #MOST_OPERATIONS_BETWEEN_TURNS} operations.
     */
    private static void assertOthersRunEveryFewOperations(Loop loop, SocketWork work) throws Exception {
        int[] operations = {0};
        boolean[] done = {false};
        List<Integer> operationsAtEachTurn = new ArrayList<>();
        Greenlet<Void> other = loop.spawn(() -> {
            while (!done[0]) {
                operationsAtEachTurn.add(operations[0]);
                Green.sleep();
            }
        });
        Greenlet<Integer> worker = loop.spawn(() -> {
            try {
                return work.run(operations);
            } finally {
                done[0] = true;
            }
        });
        assertTrue(worker.join(LIMIT));
        assertTrue(other.join(LIMIT));
        assertEquals(STREAM_BYTES, worker.get());
        operationsAtEachTurn.add(operations[0]);
        int mostBetweenTurns = 0;
        for (int i = 1; i < operationsAtEachTurn.size(); i++) {
            mostBetweenTurns = Math.max(mostBetweenTurns, operationsAtEachTurn.get(i) - operationsAtEachTurn.get(i - 1));
        }
        assertTrue(mostBetweenTurns <= MOST_OPERATIONS_BETWEEN_TURNS, "the other greenlet waited through " + mostBetweenTurns
                + " operations in a row (" + operations[0] + " operations, " + operationsAtEachTurn.size() + " turns)");
    }
}
