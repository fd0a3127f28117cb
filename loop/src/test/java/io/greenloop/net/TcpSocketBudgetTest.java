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
 * The socket budget: a greenlet whose reads keep succeeding yields now and then, so that the others on its
 * loop still run. Counted in reads between the turns of a greenlet beside it, not timed.
 */
class TcpSocketBudgetTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Small enough to sit whole in the reader's receive buffer before it starts, on loopback. */
    private static final int STREAM_BYTES = 16 * 1024;
    private static final int READ_BYTES = 8;
    /** A few budgets' worth (the budget is 16 operations): without one, the reader would do all 2,048 reads in one turn. */
    private static final int MOST_READS_BETWEEN_TURNS = 64;

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
            int[] reads = {0};
            boolean[] done = {false};
            List<Integer> readsAtEachTurn = new ArrayList<>();
            Greenlet<Void> other = loop.spawn(() -> {
                while (!done[0]) {
                    readsAtEachTurn.add(reads[0]);
                    Green.sleep();
                }
            });
            Greenlet<Integer> reader = loop.spawn(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
                int total = 0;
                for (int n; (n = client.read(buffer.clear())) > 0; ) {
                    total += n;
                    reads[0]++;
                }
                done[0] = true;
                return total;
            });
            assertTrue(reader.join(LIMIT));
            assertTrue(other.join(LIMIT));
            assertEquals(STREAM_BYTES, reader.get());
            readsAtEachTurn.add(reads[0]);
            int mostBetweenTurns = 0;
            for (int i = 1; i < readsAtEachTurn.size(); i++) {
                mostBetweenTurns = Math.max(mostBetweenTurns, readsAtEachTurn.get(i) - readsAtEachTurn.get(i - 1));
            }
            assertTrue(mostBetweenTurns <= MOST_READS_BETWEEN_TURNS, "the other greenlet waited through " + mostBetweenTurns
                    + " reads in a row (" + reads[0] + " reads, " + readsAtEachTurn.size() + " turns)");
        }
    }
}
