package io.greenloop.spi.unix;

import io.greenloop.lowlevel.LowLevel;
import com.sun.management.UnixOperatingSystemMXBean;
import io.greenloop.Cancellable;
import io.greenloop.Event;
import io.greenloop.Eventually;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import io.greenloop.spi.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.greenloop.spi.unix.Peers.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A native transport (the subclass makes it) driven by hand (poll, then dispatch) where the exact order of
 * events matters, and through a loop where a second thread is involved. Peers are plain {@code java.net}
 * sockets on 127.0.0.1. What only one poller can show (epoll lists its set in {@code /proc}) comes
 * through the hooks below.
 */
public abstract class UnixTransportTest extends UnixTransportCase {

    /** The transport of the test, from {@link #newTransport()}. */
    protected Transport transport;
    private final Opener opener;

    /** The tests of the transport {@code transportName} (see {@link UnixTransportCase}). */
    protected UnixTransportTest(String transportName, Opener opener) {
        super(transportName);
        this.opener = opener;
    }

    /** A new transport of the kind under test, for one test. */
    protected final Transport newTransport() throws IOException {
        return opener.open();
    }

    /** Opens a transport of the kind under test ({@code EpollTransport::new}). */
    @FunctionalInterface
    protected interface Opener {
        /** A new transport. */
        Transport open() throws IOException;
    }


    /**
     * The fds in {@code transport}'s kernel set, without the transport's own, where the kernel shows them
     * (epoll, in {@code /proc}); empty where it does not (kqueue), and then the tests check only the rest.
     */
    protected Optional<List<Integer>> registeredFds(Transport transport) throws IOException {
        return Optional.empty();
    }

    /**
     * Returns once the thread named {@code threadName} waits in the poller's kernel call without limit;
     * returns what shows where it waits (a kernel wait channel), or "" where nothing does.
     */
    protected abstract String awaitPollerWait(String threadName) throws Exception;

    @BeforeEach
    void open() throws IOException {
        transport = newTransport();
    }

    @AfterEach
    void close() {
        if (transport != null) {  // null when the test was skipped
            transport.close();
        }
    }

    /** Polls (up to {@link Peers#PATIENCE}) until a poll finds something, then dispatches; returns what the poll counted. */
    private int pollAndDispatch() throws IOException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        int ready;
        while ((ready = transport.poll(TimeUnit.MILLISECONDS.toNanos(100))) == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        transport.dispatch();
        return ready;
    }

    private static List<Integer> recordInto(IoHandle handle) {
        List<Integer> reports = new ArrayList<>();
        handle.listener(reports::add);
        return reports;
    }

    @Test
    void readinessThatArrivedWhileNobodyWasInterestedIsReportedOnceInterestIsSet() throws Exception {
        Peers.Pair pair = Peers.connect(transport);
        List<Integer> reports = recordInto(pair.handle());
        pair.peer().getOutputStream().write(42);
        // The edge for the byte comes and goes while the interest is 0: it is remembered, not reported.
        transport.poll(TimeUnit.MILLISECONDS.toNanos(200));
        transport.dispatch();
        assertEquals(List.of(), reports);

        pair.handle().interest(IoHandle.READ);
        assertEquals(1, transport.poll(-1), "the remembered READ must be due at once, with no new edge");
        transport.dispatch();
        assertEquals(List.of(IoHandle.READ), reports);
        ByteBuffer buffer = ByteBuffer.allocate(8);
        assertEquals(1, pair.handle().read(buffer));
        assertEquals(0, pair.handle().read(buffer), "drained: EAGAIN");

        // EAGAIN cleared the memory: setting the interest again reports nothing until the next byte.
        pair.handle().interest(IoHandle.READ);
        assertEquals(0, transport.poll(0));
        pair.peer().getOutputStream().write(43);
        assertEquals(1, pollAndDispatch());
        assertEquals(List.of(IoHandle.READ, IoHandle.READ), reports);
        pair.close();
    }

    @Test
    void onlyOpsInTheInterestAreReportedAndAnIdleWritableSocketDoesNotSpin() throws Exception {
        Peers.Pair pair = Peers.connect(transport);
        List<Integer> reports = recordInto(pair.handle());
        pair.handle().interest(IoHandle.READ);
        pair.peer().getOutputStream().write(1);
        pollAndDispatch();
        assertEquals(List.of(IoHandle.READ), reports, "writable too, but WRITE is not in the interest");

        pair.handle().interest(IoHandle.READ | IoHandle.WRITE);
        pollAndDispatch();
        assertEquals(List.of(IoHandle.READ, IoHandle.READ | IoHandle.WRITE), reports);
        // Nothing new happened: no report, no matter how often the loop polls.
        for (int i = 0; i < 5; i++) {
            assertEquals(0, transport.poll(TimeUnit.MILLISECONDS.toNanos(10)));
            transport.dispatch();
        }
        assertEquals(2, reports.size());
        pair.close();
    }

    @Test
    void anErrorOrHangUpIsReportedAsBothReadAndWrite() throws Exception {
        Peers.Pair pair = Peers.connect(transport);
        List<Integer> reports = recordInto(pair.handle());
        pair.handle().interest(IoHandle.READ | IoHandle.WRITE);
        pollAndDispatch();  // the connected socket's first edge: writable
        reports.clear();
        ByteBuffer full = ByteBuffer.allocateDirect(1 << 20);
        while (pair.handle().write(full.clear()) > 0) {
            Thread.onSpinWait();  // fill the send buffer so that only an error can make it writable again
        }
        reports.clear();  // space that ACKs freed while we filled the buffer may have been reported as WRITE
        pair.peer().setSoLinger(true, 0);
        pair.peer().close();  // RST
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (reports.stream().noneMatch(ops -> (ops & IoHandle.READ) != 0) && System.nanoTime() < deadline) {
            pollAndDispatch();
        }
        // The peer never wrote, so READ can only come from the reset, and with it WRITE.
        assertEquals(IoHandle.READ | IoHandle.WRITE, (int) reports.getLast(), "reports: " + reports);
        SocketException reset = assertThrows(SocketException.class, () -> pair.handle().read(ByteBuffer.allocate(8)));
        assertTrue(reset.getMessage().contains("reset"), reset.getMessage());
        pair.handle().close();
    }

    @Test
    void aHandleClosedDuringDispatchGetsNoCallbackAndLeavesThePollersSet() throws Exception {
        Peers.Pair first = Peers.connect(transport);
        Peers.Pair second = Peers.connect(transport);
        List<String> called = new ArrayList<>();
        first.handle().listener(ops -> {
            called.add("first");
            closeQuietly(second.handle());
        });
        second.handle().listener(ops -> {
            called.add("second");
            closeQuietly(first.handle());
        });
        // Both bytes arrive while nobody is interested; once both are remembered, one poll reports both.
        first.peer().getOutputStream().write(1);
        second.peer().getOutputStream().write(1);
        awaitRemembered(first.handle(), IoHandle.READ);
        awaitRemembered(second.handle(), IoHandle.READ);
        first.handle().interest(IoHandle.READ);
        second.handle().interest(IoHandle.READ);
        assertEquals(2, transport.poll(0), "both are ready in the same poll");
        transport.dispatch();
        assertEquals(1, called.size(), "whichever ran first closed the other, which must not be called: " + called);
        Peers.Pair survivor = called.getFirst().equals("first") ? first : second;
        Peers.Pair closed = survivor == first ? second : first;
        assertTrue(closed.handle().isClosed());
        registeredFds(transport).ifPresent(fds -> assertEquals(List.of(((UnixHandle) survivor.handle()).fd()), fds,
                "the closed handle left the " + transportName + " set"));
        first.close();
        second.close();
    }

    /** Polls until the transport has recorded {@code op} readiness for {@code handle} (with or without interest). */
    private void awaitRemembered(IoHandle handle, int op) throws IOException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while ((((UnixHandle) handle).readiness() & op) == 0 && System.nanoTime() < deadline) {
            transport.poll(TimeUnit.MILLISECONDS.toNanos(10));
            transport.dispatch();
        }
        assertTrue((((UnixHandle) handle).readiness() & op) != 0, handle + " never became ready for " + op);
    }

    @Test
    void aHandleClosedWhileRegisteredIsNeverCalledBackWhenItsPeerWrites() throws Exception {
        Peers.Pair pair = Peers.connect(transport);
        List<Integer> reports = recordInto(pair.handle());
        pair.handle().interest(IoHandle.READ);
        registeredFds(transport).ifPresent(before ->
                assertTrue(before.contains(((UnixHandle) pair.handle()).fd()), "registered: " + before));
        pair.handle().close();
        pair.peer().getOutputStream().write(7);
        pair.peer().close();
        transport.poll(TimeUnit.MILLISECONDS.toNanos(100));
        transport.dispatch();
        assertEquals(List.of(), reports);
        registeredFds(transport).ifPresent(after -> assertEquals(List.of(), after));
        assertFalse(pair.handle().interest() != 0, "a closed handle has no interest");
    }

    @Test
    void aTimedPollWaitsAtLeastItsTimeoutAndNotMuchLonger() throws Exception {
        for (long micros : new long[] {300, 2_500, 20_000}) {
            long start = System.nanoTime();
            assertEquals(0, transport.poll(TimeUnit.MICROSECONDS.toNanos(micros)));
            long tookMicros = (System.nanoTime() - start) / 1_000;
            assertTrue(tookMicros >= micros, "asked " + micros + " us, returned after " + tookMicros + " us: early wake-ups spin the loop");
            assertTrue(tookMicros < micros + 500_000, "asked " + micros + " us, returned after " + tookMicros + " us");
        }
        long start = System.nanoTime();
        assertEquals(0, transport.poll(0));
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500), "poll(0) returns at once");
    }

    @Test
    void wakeupFromAnotherThreadEndsAWaitInProgress() throws Exception {
        String wakeTestThread = "gl-" + transportName + "-wake";  // within the kernel's 15 characters of thread name
        AtomicReference<Loop> loopRef = new AtomicReference<>();
        AtomicReference<Cancellable> outsideWork = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> ranOn = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        Thread loopThread = Thread.ofPlatform().name(wakeTestThread).start(() -> {
            try (Loop loop = Loop.open(transportName)) {
                outsideWork.set(LowLevel.keepAlive(loop));  // work only another thread ends: run() polls without limit
                loopRef.set(loop);
                opened.countDown();
                loop.run();
            } catch (Throwable e) {
                failure.set(e);
                opened.countDown();
            }
        });
        assertTrue(opened.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        String waitChannel = awaitPollerWait(wakeTestThread);
        long start = System.nanoTime();
        loopRef.get().execute(() -> {
            ranOn.set(Thread.currentThread().getName());
            outsideWork.get().cancel();
        });
        loopThread.join(PATIENCE.toMillis());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertFalse(loopThread.isAlive(), "the loop did not wake up from its " + transportName + " wait");
        if (failure.get() != null) {
            throw new AssertionError("the loop thread failed", failure.get());
        }
        assertEquals(wakeTestThread, ranOn.get(), "the callback ran on the loop thread");
        assertTrue(tookMillis < 5_000, "the wake-up took " + tookMillis + " ms; where it waited: " + waitChannel);
    }

    /** The connections of the many-handles test: the "10,000 idle connections on one loop". */
    private static final int IDLE_CONNECTIONS = 10_000;
    /** Descriptors each process needs beyond the connections (the JVM's own, the listener, the poller's). */
    private static final int DESCRIPTOR_MARGIN = 500;

    @Test
    @Tag("stress")
    void tenThousandIdleConnectionsOnOneLoopWakeOnlyTheReaderWhoseDataCame() throws Exception {
        long limit = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assumeTrue(limit >= IDLE_CONNECTIONS + DESCRIPTOR_MARGIN, () -> "needs `ulimit -n` of at least "
                + (IDLE_CONNECTIONS + DESCRIPTOR_MARGIN) + " (the peers run in a child process with the same limit); it is " + limit);
        try (Loop loop = Loop.open(transportName)) {
            ListenerHandle listener = LowLevel.transportOf(loop).openListener(StandardProtocolFamily.INET);
            listener.bind(Peers.LOOPBACK_ANY_PORT, IDLE_CONNECTIONS, false);
            Process peers = startIdleConnections(listener.localAddress().getPort());
            try {
                List<StreamHandle> accepted = acceptAll(loop, listener);
                BufferedReader peersSay = peers.inputReader();
                assertEquals("connected " + IDLE_CONNECTIONS, peersSay.readLine());
                registeredFds(LowLevel.transportOf(loop)).ifPresent(fds -> assertEquals(IDLE_CONNECTIONS + 1, fds.size(),
                        "every connection and the listener are in the " + transportName + " set, once each"));

                Event firstByte = new Event();
                int[] bytesAndEnds = new int[2];
                List<Greenlet<?>> readers = new ArrayList<>(IDLE_CONNECTIONS);
                for (StreamHandle handle : accepted) {
                    readers.add(loop.spawn(() -> readUntilEnd(handle, bytesAndEnds, firstByte)));
                }
                Eventually.await("every reader to find nothing and park", () -> loop.stats().ioWaiters() == IDLE_CONNECTIONS);
                assertEquals(IDLE_CONNECTIONS, loop.liveGreenlets());

                long start = System.nanoTime();
                peers.outputWriter().append("write 4321\n").flush();
                assertTrue(firstByte.await(PATIENCE), "the reader of connection 4321 was not woken");
                long wakeMicros = (System.nanoTime() - start) / 1_000;
                assertEquals(1, bytesAndEnds[0]);
                assertEquals(0, bytesAndEnds[1], "nobody else woke up with anything");
                assertEquals(IDLE_CONNECTIONS, loop.liveGreenlets());

                peers.outputWriter().close();  // the peers close all their connections and exit
                assertEquals(IDLE_CONNECTIONS, Green.joinAll(readers, Duration.ofSeconds(60)).size());
                assertEquals(IDLE_CONNECTIONS, bytesAndEnds[1], "every reader saw its end of stream");
                assertTrue(peers.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
                assertEquals(0, peers.exitValue());
                for (StreamHandle handle : accepted) {
                    handle.close();
                }
                listener.close();
                System.out.println("10,000 idle connections on one " + transportName + " loop: one write woke its reader in " + wakeMicros + " us");
            } finally {
                peers.destroyForcibly();
            }
        }
    }

    private static Process startIdleConnections(int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(IdleConnections.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        return new ProcessBuilder(java, "-cp", classes, IdleConnections.class.getName(), String.valueOf(port),
                String.valueOf(IDLE_CONNECTIONS)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static List<StreamHandle> acceptAll(Loop loop, ListenerHandle listener) throws IOException {
        List<StreamHandle> accepted = new ArrayList<>(IDLE_CONNECTIONS);
        Greenlet<Void> acceptor = loop.spawn(() -> {
            while (accepted.size() < IDLE_CONNECTIONS) {
                StreamHandle handle = listener.accept();
                if (handle != null) {
                    accepted.add(handle);
                } else {
                    Peers.awaitReady(listener, IoHandle.READ);
                }
            }
        });
        assertTrue(acceptor.join(Duration.ofSeconds(60)), "accepted only " + accepted.size());
        assertTrue(acceptor.successful(), () -> "the acceptor failed: " + acceptor.exception());
        return accepted;
    }

    private static void readUntilEnd(StreamHandle handle, int[] bytesAndEnds, Event firstByte) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(16);
        while (true) {
            int n = handle.read(buffer.clear());
            if (n > 0) {
                bytesAndEnds[0] += n;
                firstByte.set();
            } else if (n < 0) {
                bytesAndEnds[1]++;
                return;
            } else {
                Peers.awaitReady(handle, IoHandle.READ);
            }
        }
    }

    @Test
    void closingTheTransportClosesItsHandlesAndRefusesFurtherUse() throws Exception {
        Peers.Pair pair = Peers.connect(transport);
        StreamHandle unconnected = transport.openStream(StandardProtocolFamily.INET);
        transport.close();
        assertTrue(pair.handle().isClosed());
        assertTrue(unconnected.isClosed());
        assertEquals(-1, pair.peer().getInputStream().read(), "the peer sees the close");
        assertThrows(IOException.class, () -> transport.poll(0));
        assertThrows(IOException.class, () -> transport.openStream(StandardProtocolFamily.INET));
        transport.wakeup();  // harmless after close, from any thread
        pair.peer().close();
    }

    @Test
    void interestRefusesOpsThatAreNotReadOrWrite() throws Exception {
        StreamHandle handle = transport.openStream(StandardProtocolFamily.INET);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> handle.interest(4));
        assertTrue(bad.getMessage().contains("READ"), bad.getMessage());
        handle.close();
    }

    private static void closeQuietly(IoHandle handle) {
        try {
            handle.close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
