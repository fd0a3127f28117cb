package io.greenloop.epoll;

import com.sun.management.UnixOperatingSystemMXBean;
import io.greenloop.Cancellable;
import io.greenloop.Event;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.spi.IoHandle;
import io.greenloop.spi.ListenerHandle;
import io.greenloop.spi.StreamHandle;
import io.greenloop.spi.unix.UnixHandle;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.greenloop.epoll.Peers.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The epoll transport driven by hand (poll, then dispatch) where the exact order of events matters, and
 * through a loop where a second thread is involved. Peers are plain {@code java.net} sockets on 127.0.0.1.
 */
class EpollTransportTest {

    private EpollTransport transport;

    @BeforeEach
    void open() throws IOException {
        transport = new EpollTransport();
    }

    @AfterEach
    void close() {
        transport.close();
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
    void aHandleClosedDuringDispatchGetsNoCallbackAndLeavesTheEpollSet() throws Exception {
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
        assertEquals(List.of(((UnixHandle) survivor.handle()).fd()), registeredFds(), "the closed handle left the epoll set");
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
        List<Integer> before = registeredFds();
        assertTrue(before.contains(((UnixHandle) pair.handle()).fd()), "registered: " + before);
        pair.handle().close();
        pair.peer().getOutputStream().write(7);
        pair.peer().close();
        transport.poll(TimeUnit.MILLISECONDS.toNanos(100));
        transport.dispatch();
        assertEquals(List.of(), reports);
        assertEquals(List.of(), registeredFds());
        assertFalse(pair.handle().interest() != 0, "a closed handle has no interest");
    }

    @Test
    void eachSocketIsRegisteredOnceEdgeTriggeredAndStaysSoAcrossManyWaits() throws Exception {
        Peers.Pair pair = Peers.connect(transport);
        String registration = epollEntries().getFirst();
        for (int i = 0; i < 50; i++) {
            pair.peer().getOutputStream().write(i);
            assertEquals(IoHandle.READ, awaitByHand(pair.handle(), IoHandle.READ));
            assertEquals(1, pair.handle().read(ByteBuffer.allocate(4)));
            assertEquals(0, pair.handle().read(ByteBuffer.allocate(4)));
        }
        assertEquals(List.of(registration), epollEntries(), "the same single registration, never modified");
        long mask = Long.parseLong(registration.split("events:\\s*")[1].split("\\s")[0], 16);
        assertTrue((mask & (1L << 31)) != 0, "EPOLLET in " + registration);
        pair.close();
    }

    private int awaitByHand(IoHandle handle, int op) throws IOException {
        AtomicReference<Integer> got = new AtomicReference<>();
        handle.listener(got::set);
        handle.interest(op);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (got.get() == null && System.nanoTime() < deadline) {
            transport.poll(TimeUnit.MILLISECONDS.toNanos(100));
            transport.dispatch();
        }
        handle.interest(0);
        return got.get();
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
    void wakeupFromAnotherThreadEndsAnEpollWaitInProgress() throws Exception {
        AtomicReference<Loop> loopRef = new AtomicReference<>();
        AtomicReference<Cancellable> outsideWork = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> ranOn = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        Thread loopThread = Thread.ofPlatform().name(WAKE_TEST_THREAD).start(() -> {
            try (Loop loop = Loop.open("epoll")) {
                outsideWork.set(loop.keepAlive());  // work only another thread ends: run() polls without limit
                loopRef.set(loop);
                opened.countDown();
                loop.run();
            } catch (Throwable e) {
                failure.set(e);
                opened.countDown();
            }
        });
        assertTrue(opened.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        String waitChannel = awaitWaitChannel(WAKE_TEST_THREAD, "epoll|ep_poll");
        long start = System.nanoTime();
        loopRef.get().execute(() -> {
            ranOn.set(Thread.currentThread().getName());
            outsideWork.get().cancel();
        });
        loopThread.join(PATIENCE.toMillis());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertFalse(loopThread.isAlive(), "the loop did not wake up from its epoll_wait");
        if (failure.get() != null) {
            throw new AssertionError("the loop thread failed", failure.get());
        }
        assertEquals(WAKE_TEST_THREAD, ranOn.get(), "the callback ran on the loop thread");
        assertTrue(tookMillis < 5_000, "the wake-up took " + tookMillis + " ms; kernel wait channel was " + waitChannel);
    }

    /** Short enough for the kernel's 15-character thread names. */
    private static final String WAKE_TEST_THREAD = "gl-epoll-wake";

    /**
     * Waits until the named thread of this process sleeps in the kernel in a function whose name matches
     * {@code pattern} somewhere (from {@code /proc/self/task/N/wchan}) and returns that name; returns ""
     * when this kernel does not show wait channels, after waiting long enough for the thread to get there.
     */
    static String awaitWaitChannel(String threadName, String pattern) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).trim().equals(threadName)) {
                            last = Files.readString(task.resolve("wchan")).trim();
                        }
                    } catch (IOException e) {
                        // the task ended while we looked
                    }
                }
            }
            if (java.util.regex.Pattern.compile(pattern).matcher(last).find()) {
                return last;
            }
            Thread.sleep(10);
        }
        if (last.isEmpty() || last.equals("0")) {
            return "";
        }
        throw new AssertionError(threadName + " never waited in a kernel function matching " + pattern + "; last wait channel: " + last);
    }

    /** The connections of the many-handles test: the "10,000 idle connections on one loop". */
    private static final int IDLE_CONNECTIONS = 10_000;
    /** Descriptors each process needs beyond the connections (the JVM's own, the listener, epoll's). */
    private static final int DESCRIPTOR_MARGIN = 500;

    @Test
    @Tag("stress")
    void tenThousandIdleConnectionsOnOneLoopWakeOnlyTheReaderWhoseDataCame() throws Exception {
        long limit = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assumeTrue(limit >= IDLE_CONNECTIONS + DESCRIPTOR_MARGIN, () -> "needs `ulimit -n` of at least "
                + (IDLE_CONNECTIONS + DESCRIPTOR_MARGIN) + " (the peers run in a child process with the same limit); it is " + limit);
        try (Loop loop = Loop.open("epoll")) {
            ListenerHandle listener = loop.io().openListener(StandardProtocolFamily.INET);
            listener.bind(Peers.LOOPBACK_ANY_PORT, IDLE_CONNECTIONS, false);
            Process peers = startIdleConnections(listener.localAddress().getPort());
            try {
                List<StreamHandle> accepted = acceptAll(loop, listener);
                BufferedReader peersSay = peers.inputReader();
                assertEquals("connected " + IDLE_CONNECTIONS, peersSay.readLine());
                assertEquals(IDLE_CONNECTIONS + 1, epollEntries(((EpollTransport) loop.io()).epollFd(), ((EpollTransport) loop.io()).ownFds()).size(),
                        "every connection and the listener are in the epoll set, once each");

                Event firstByte = new Event();
                int[] bytesAndEnds = new int[2];
                List<Greenlet<?>> readers = new ArrayList<>(IDLE_CONNECTIONS);
                for (StreamHandle handle : accepted) {
                    readers.add(loop.spawn(() -> readUntilEnd(handle, bytesAndEnds, firstByte)));
                }
                Green.sleep(Duration.ofMillis(200));  // every reader runs, finds nothing, parks
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
                System.out.println("10,000 idle connections on one epoll loop: one write woke its reader in " + wakeMicros + " us");
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

    /** The fds in this transport's epoll set, from {@code /proc/self/fdinfo}, without its eventfd and timerfd. */
    private List<Integer> registeredFds() throws IOException {
        return epollEntries().stream().map(line -> Integer.parseInt(line.split("\\s+")[1])).toList();
    }

    private List<String> epollEntries() throws IOException {
        return epollEntries(transport.epollFd(), transport.ownFds());
    }

    /** The {@code tfd:} lines of an epoll instance's fdinfo, one per registered fd, without the given ones. */
    static List<String> epollEntries(int epollFd, List<Integer> own) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/fdinfo/" + epollFd));
        return lines.stream().filter(line -> line.startsWith("tfd:"))
                .filter(line -> !own.contains(Integer.parseInt(line.split("\\s+")[1]))).toList();
    }

    private static void closeQuietly(IoHandle handle) {
        try {
            handle.close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
