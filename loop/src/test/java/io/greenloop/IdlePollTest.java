package io.greenloop;

import io.greenloop.spi.DatagramHandle;
import io.greenloop.spi.DetachedStream;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import io.greenloop.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IdlePoll} alone, on a real transport (the one under test: nio in loop's build, epoll from the test-jar)
 * whose polls are recorded as they pass ({@link RecordingTransport}): what each strategy asks of the transport,
 * and what ends a spinning poll early. No loop runs: each test calls one poll as a loop's poll phase would.
 */
class IdlePollTest {

    /** A wait that only a broken poll sits out: the tests that end early end in milliseconds. */
    private static final long LONG_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long SHORT_NANOS = TimeUnit.MILLISECONDS.toNanos(30);

    private RecordingTransport transport;
    private LoopShared shared;

    @BeforeEach
    void openTransport() {
        transport = new RecordingTransport(TransportSelection.create(TransportSelection.chosen(null)));
        shared = new LoopShared(transport, Loop.Options.UNLIMITED);
    }

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    @Test
    void blockWaitsInOnePollForTheWholeTimeout() throws IOException {
        new IdlePoll(IdleStrategy.block(), transport, shared).poll(SHORT_NANOS);
        assertEquals(List.of(SHORT_NANOS), transport.timeouts());
    }

    @Test
    void spinPollsWithoutWaitingUntilTheTimeoutIsUp() throws IOException {
        Thread watchdog = stopAfter(LONG_NANOS);
        long start = System.nanoTime();
        new IdlePoll(IdleStrategy.spin(), transport, shared).poll(SHORT_NANOS);
        long took = System.nanoTime() - start;
        watchdog.interrupt();
        assertTrue(took >= SHORT_NANOS, "a spinning poll does not return before its timeout");
        assertTrue(took < LONG_NANOS, "it returned at its timeout, not at the watchdog's stop");
        assertTrue(transport.polls() > 1, "it looked again and again: " + transport.polls());
        assertTrue(transport.neverWaited(), "never waiting in the poll: " + transport.timeouts());
    }

    @Test
    void backoffSpinsThenYieldsThenBlocksForWhatIsLeft() throws IOException {
        new IdlePoll(IdleStrategy.backoff(5, 3), transport, shared).poll(LONG_NANOS / 100);
        List<Long> timeouts = transport.timeouts();
        assertEquals(9, timeouts.size(), "5 spins, 3 yields, one blocking poll: " + timeouts);
        assertTrue(timeouts.subList(0, 8).stream().allMatch(t -> t == 0), timeouts.toString());
        long last = timeouts.getLast();
        assertTrue(last > 0 && last <= LONG_NANOS / 100, "the blocking poll waits what is left of the timeout: " + last);
    }

    @Test
    void backoffWithoutATimeoutBlocksWithoutOne() throws IOException {
        Thread waker = Thread.ofPlatform().start(() -> {
            awaitPolls(4);
            transport.wakeup();  // ends the blocking poll that follows the 2 spins and the yield
        });
        new IdlePoll(IdleStrategy.backoff(2, 1), transport, shared).poll(-1);
        joinOrFail(waker);
        assertEquals(List.of(0L, 0L, 0L, -1L), transport.timeouts(), "no timer: the last poll waits without limit");
    }

    @Test
    void aPollThatMustNotWaitOnlyLooksWhateverTheStrategy() throws IOException {
        Thread watchdog = stopAfter(LONG_NANOS);
        for (IdleStrategy strategy : List.of(IdleStrategy.block(), IdleStrategy.spin(), IdleStrategy.backoff(100, 10))) {
            RecordingTransport recording = new RecordingTransport(transport);
            new IdlePoll(strategy, recording, shared).poll(0);
            assertEquals(List.of(0L), recording.timeouts(), strategy.toString());
        }
        watchdog.interrupt();
    }

    @Test
    void aSpinningPollReturnsWhenAnotherThreadHandsTheLoopACallback() throws IOException {
        Thread submitter = Thread.ofPlatform().start(() -> {
            awaitPolls(3);
            shared.submit(() -> { }, true);
        });
        long start = System.nanoTime();
        new IdlePoll(IdleStrategy.spin(), transport, shared).poll(LONG_NANOS);
        joinOrFail(submitter);
        assertTrue(System.nanoTime() - start < LONG_NANOS, "the callback ended the spin, not the timeout");
        assertEquals(1, shared.pendingCallbacks());
    }

    @Test
    void aSpinningPollReturnsWhenAStopIsAsked() throws IOException {
        Thread stopper = Thread.ofPlatform().start(() -> {
            awaitPolls(3);
            shared.requestStop(false);
        });
        long start = System.nanoTime();
        new IdlePoll(IdleStrategy.spin(), transport, shared).poll(LONG_NANOS);
        joinOrFail(stopper);
        assertTrue(System.nanoTime() - start < LONG_NANOS, "the stop ended the spin, not the timeout");
    }

    @Test
    void aSpinningPollReturnsWhenASocketIsReady() throws IOException {
        ListenerHandle listener = transport.openListener(StandardProtocolFamily.INET);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8, false);
        listener.listener(readyOps -> { });
        listener.interest(IoHandle.READ);
        CountDownLatch spinEnded = new CountDownLatch(1);
        Thread client = Thread.ofPlatform().start(() -> {
            awaitPolls(3);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.localAddress().getPort())) {
                spinEnded.await(LONG_NANOS, TimeUnit.NANOSECONDS);  // hold the connection until the spin ends
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        long start = System.nanoTime();
        int ready = new IdlePoll(IdleStrategy.spin(), transport, shared).poll(LONG_NANOS);
        spinEnded.countDown();
        joinOrFail(client);
        assertEquals(1, ready, "the listener is ready to accept");
        assertTrue(System.nanoTime() - start < LONG_NANOS, "the connection ended the spin, not the timeout");
        listener.close();
    }

    @Test
    void aBackoffWithNegativeCountsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdleStrategy.backoff(-1, 0));
        assertTrue(e.getMessage().contains("0 or more"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IdleStrategy.backoff(0, -1));
    }

    @Test
    void strategiesAreValuesWithTheNamesTheyAreShownBy() {
        assertEquals(IdleStrategy.backoff(3, 2), IdleStrategy.backoff(3, 2));
        assertEquals("block", IdleStrategy.block().toString());
        assertEquals("spin", IdleStrategy.spin().toString());
        assertEquals("backoff(3, 2)", IdleStrategy.backoff(3, 2).toString());
    }

    /**
     * A thread that asks the loop to stop after {@code nanos} unless interrupted first, so that a poll that would
     * spin for ever fails its test instead of hanging it (a spinning thread does not see interrupts).
     */
    private Thread stopAfter(long nanos) {
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
                shared.requestStop(false);
            } catch (InterruptedException e) {
                // the poll returned by itself
            }
        });
    }

    /** Waits (sleeping, not spinning: the poll under test needs the core) until the transport was polled {@code n} times. */
    private void awaitPolls(int n) {
        long end = System.nanoTime() + LONG_NANOS;
        while (transport.polls() < n && System.nanoTime() - end < 0) {
            sleepMillis(1);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void joinOrFail(Thread thread) {
        try {
            assertTrue(thread.join(Duration.ofNanos(LONG_NANOS)), thread + " did not end");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A real transport whose polls are counted, the first {@value #RECORDED} timeouts kept in order, and whether any
     * poll waited; everything else passes straight through. A spinning poll makes hundreds of thousands of polls.
     */
    private static final class RecordingTransport implements Transport {
        private static final int RECORDED = 100;
        private final Transport real;
        private final List<Long> first = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger polls = new AtomicInteger();
        private volatile boolean waited;

        RecordingTransport(Transport real) {
            this.real = real;
        }

        int polls() {
            return polls.get();
        }

        List<Long> timeouts() {
            synchronized (first) {
                return List.copyOf(first);
            }
        }

        boolean neverWaited() {
            return !waited;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public int poll(long timeoutNanos) throws IOException {
            if (polls.incrementAndGet() <= RECORDED) {
                first.add(timeoutNanos);
            }
            waited |= timeoutNanos != 0;
            return real.poll(timeoutNanos);
        }

        @Override
        public void dispatch() {
            real.dispatch();
        }

        @Override
        public void wakeup() {
            real.wakeup();
        }

        @Override
        public StreamHandle openStream(ProtocolFamily family) throws IOException {
            return real.openStream(family);
        }

        @Override
        public ListenerHandle openListener(ProtocolFamily family) throws IOException {
            return real.openListener(family);
        }

        @Override
        public DatagramHandle openDatagram(ProtocolFamily family) throws IOException {
            return real.openDatagram(family);
        }

        @Override
        public StreamHandle adoptStream(DetachedStream detached) throws IOException {
            return real.adoptStream(detached);
        }

        @Override
        public void close() {
            real.close();
        }
    }
}
