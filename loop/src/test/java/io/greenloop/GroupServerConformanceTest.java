package io.greenloop;

import io.greenloop.net.GroupServer;
import io.greenloop.net.LinuxSocketOptions;
import io.greenloop.net.ServerStats;
import io.greenloop.net.StreamServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.greenloop.net.Lines.ask;
import static io.greenloop.net.Lines.connect;
import static io.greenloop.net.Lines.reader;
import static io.greenloop.net.Lines.readLine;
import static io.greenloop.net.Lines.send;
import static io.greenloop.net.Lines.writeLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GroupServer}, one server across a {@link LoopGroup}, on the transport under test (nio in loop's build, each
 * native transport from loop's test-jar), both ways of spreading connections ({@link GroupListeners.Spread}): a
 * graceful stop across the loops, the accept queues drained rather than reset, options for the whole server, its
 * numbers and its JMX bean, and {@link LoopGroup#close(Duration)}. Clients are plain JDK sockets speaking lines.
 */
public class GroupServerConformanceTest {

    static final InetSocketAddress ANY_LOCAL_PORT = new InetSocketAddress("127.0.0.1", 0);
    static final int LOOPS = 2;
    /** The grace of the stops under test: far longer than a handler that is told to finish needs. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private LoopGroup group;
    private final ConcurrentLinkedQueue<Throwable> loopErrors = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void startGroup() {
        group = LoopGroup.start(LOOPS);
        for (Loop loop : group.loops()) {
            loop.execute(() -> loop.errorHandler((greenlet, error) -> loopErrors.add(error)));
        }
    }

    @AfterEach
    void closeGroup() {
        group.close();
        assertTrue(loopErrors.isEmpty(), () -> "unexpected failures reached the loops: " + loopErrors);
    }

    /**
     * The drain: a request in flight completes during {@code stop(2 s)}, a new connection is refused while
     * it runs, and the stop returns when that handler does, not when the grace runs out. The slow request waits
     * for the test to have seen the refusal; probes that got in before the listeners closed are served at once.
     */
    @ParameterizedTest
    @EnumSource(GroupListeners.Spread.class)
    void aRequestInFlightCompletesDuringStopANewConnectionIsRefusedAndTheStopEndsWithIt(GroupListeners.Spread spread)
            throws Exception {
        Event release = new Event();
        AtomicLong handlerEnded = new AtomicLong();
        GroupServer server = group.serve(ANY_LOCAL_PORT, StreamServer.Options.defaults(), (socket, peer) -> {
            String request = readLine(socket);
            if (request.equals("slow")) {
                writeLine(socket, "started");
                release.await();
                writeLine(socket, "done, stopping=" + StreamServer.isStopping());
                handlerEnded.set(System.nanoTime());
            } else {
                writeLine(socket, request + ", stopping=" + StreamServer.isStopping());
            }
        }, spread);
        InetSocketAddress address = server.address();
        try (Socket slow = connect(address)) {
            assertEquals("started", ask(slow, "slow"));
            assertEquals("probe, stopping=false", ask(connect(address), "probe"));
            AtomicLong stopReturned = new AtomicLong();
            Thread stopper = Thread.ofPlatform().name("stopper").start(() -> {
                server.stop(GRACE);
                stopReturned.set(System.nanoTime());
            });
            Eventually.awaitOffLoop("the stop to begin", server::stopping);
            Eventually.awaitOffLoop("a new connection to be refused", () -> probeRefused(address));
            Eventually.awaitOffLoop("the probes served", () -> server.activeHandlers() == 1);  // the slow request, in flight
            release.set();
            assertEquals("done, stopping=true", reader(slow).readLine(), "the request in flight completed");
            assertEquals(-1, slow.getInputStream().read(), "then its connection closed");
            stopper.join();
            long afterHandler = stopReturned.get() - handlerEnded.get();
            assertTrue(afterHandler >= 0 && afterHandler < GRACE.toNanos() / 2, "the stop returned "
                    + TimeUnit.NANOSECONDS.toMillis(afterHandler) + " ms after the last handler ended, with a grace of " + GRACE);
        }
        assertEquals(0, server.activeHandlers());
        assertThrows(ConnectException.class, () -> connect(address));
    }

    /**
     * Whether a connection to {@code address} is refused now. A probe that still got in is served (answered) or
     * refused after the connect (a reset: it came between a listener's drain and its close), never left hanging.
     */
    private static boolean probeRefused(InetSocketAddress address) {
        try (Socket probe = connect(address)) {
            String answer = ask(probe, "probe");
            assertTrue(answer == null || answer.startsWith("probe"), answer);
            return answer == null;
        } catch (ConnectException refused) {
            return true;
        } catch (SocketException resetAfterConnect) {
            return true;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connections the kernel accepted while every loop was busy sit in the listeners' accept queues when the stop
     * begins; closing an {@code SO_REUSEPORT} listener (or any listener) with them queued would reset them. The stop
     * drains the queues first: every client gets its answer, none a reset.
     */
    @Test
    void connectionsInTheAcceptQueuesWhenTheStopBeginsAreServedNotReset() throws Exception {
        GroupServer server = group.serve(ANY_LOCAL_PORT, StreamServer.Options.defaults(),
                (socket, peer) -> writeLine(socket, readLine(socket) + ", served"), GroupListeners.Spread.LISTENER_PER_LOOP);
        CountDownLatch busy = new CountDownLatch(1);
        blockUntil(group.loops(), busy);
        List<Socket> clients = new ArrayList<>();
        Thread stopper;
        try {
            for (int i = 0; i < 24; i++) {
                Socket client = connect(server.address());
                send(client, "client " + i);
                clients.add(client);
            }
            stopper = Thread.ofPlatform().name("stopper").start(() -> server.stop(GRACE));
            for (Loop loop : group.loops()) {
                Eventually.awaitOffLoop("the stop queued on " + loop, () -> loop.stats().pendingCallbacks() > 0);
            }
        } finally {
            busy.countDown();
        }
        stopper.join();
        for (int i = 0; i < clients.size(); i++) {
            try (Socket client = clients.get(i)) {
                assertEquals("client " + i + ", served", reader(client).readLine(), "client " + i);
            }
        }
        ServerStats stats = server.stats();
        assertEquals(24, stats.accepted(), stats.toString());
        assertEquals(0, stats.refused(), stats.toString());
        assertEquals(0, stats.open(), stats.toString());
    }

    /** Holds each of {@code loops} with a callback until {@code release}; returns once all are held. */
    private static void blockUntil(List<Loop> loops, CountDownLatch release) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(loops.size());
        for (Loop loop : loops) {
            loop.execute(() -> {
                held.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertTrue(held.await(30, TimeUnit.SECONDS));
    }

    /**
     * At the handler limit, connections wait in the backlog; when the stop begins they are refused with a clean
     * close (a FIN after their request was read and dropped, never a reset), and counted as refused. The limit is
     * the whole server's: with two loops and a limit of one, one handler runs.
     */
    @ParameterizedTest
    @EnumSource(GroupListeners.Spread.class)
    void beyondTheHandlerLimitTheQueuedConnectionsAreRefusedWithAFinWhenTheStopBegins(GroupListeners.Spread spread)
            throws Exception {
        Event release = new Event();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        GroupServer server = group.serve(ANY_LOCAL_PORT, StreamServer.Options.defaults().withMaxConcurrentHandlers(1),
                (socket, peer) -> {
                    mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        writeLine(socket, "serving " + readLine(socket));
                        release.await();
                    } finally {
                        running.decrementAndGet();
                    }
                }, spread);
        List<Socket> clients = new ArrayList<>();
        try {
            Socket first = connect(server.address());
            clients.add(first);
            assertEquals("serving first", ask(first, "first"));
            for (int i = 0; i < 8; i++) {
                Socket queued = connect(server.address());
                send(queued, "queued " + i);
                clients.add(queued);
            }
            Thread stopper = Thread.ofPlatform().name("stopper").start(() -> server.stop(GRACE));
            for (Socket queued : clients.subList(1, clients.size())) {
                assertEquals(-1, queued.getInputStream().read(), "a clean end of stream, not a reset");
                queued.close();  // the server's lingering close ends when the client closes too
            }
            release.set();
            stopper.join();
            assertEquals(1, mostRunning.get(), "the limit holds for the whole server, across its loops");
            ServerStats stats = server.stats();
            assertEquals(9, stats.accepted(), stats.toString());
            assertEquals(8, stats.refused(), stats.toString());
            assertEquals(0, stats.open(), stats.toString());
        } finally {
            release.set();
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void theNumbersAndTheBeanOfAGroupServer() throws Exception {
        GroupServer server = group.serve(ANY_LOCAL_PORT, StreamServer.Options.defaults(), (socket, peer) -> {
            String line;
            while (!(line = readLine(socket)).isEmpty()) {
                writeLine(socket, line);
            }
        });
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.greenloop:type=Server,name=" + server.name());
        Eventually.awaitOffLoop("the server's bean", () -> beans.isRegistered(name));
        try (Socket first = connect(server.address()); Socket second = connect(server.address())) {
            assertEquals("hello", ask(first, "hello"));
            assertEquals("again", ask(second, "again"));
            assertEquals(new ServerStats(2, 2, 0, 0, 0, 0), server.stats());
            assertEquals(2L, beans.getAttribute(name, "Accepted"));
            assertEquals(2, beans.getAttribute(name, "Open"));
            assertEquals(2, beans.getAttribute(name, "ActiveHandlers"));
            assertEquals("127.0.0.1:" + server.address().getPort(), beans.getAttribute(name, "Address"));
            assertEquals(false, beans.getAttribute(name, "Stopping"));
        }
        Eventually.awaitOffLoop("both handlers done", () -> server.activeHandlers() == 0);
        server.stop(GRACE);
        assertEquals(new ServerStats(2, 0, 0, 0, 0, 0), server.stats());
        Eventually.awaitOffLoop("the bean gone after the stop", () -> !beans.isRegistered(name));
    }

    @Test
    void theIdleTimeoutHoldsOnEveryLoopAndIsCounted() throws Exception {
        GroupServer server = group.serve(ANY_LOCAL_PORT, StreamServer.Options.defaults().withIdleTimeout(Duration.ofMillis(200)),
                (socket, peer) -> readLine(socket));
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                idle.add(connect(server.address()));
            }
            for (Socket client : idle) {
                assertEquals(-1, client.getInputStream().read(), "the idle connection was closed");
            }
            Eventually.awaitOffLoop("the idle closes counted", () -> server.stats().idleClosed() == 4);
        } finally {
            for (Socket client : idle) {
                client.close();
            }
        }
        server.stop(GRACE);
        assertEquals(new ServerStats(4, 0, 0, 4, 0, 0), server.stats());
    }

    /** {@code SO_BUSY_POLL} reaches every loop's listener (epoll); elsewhere serving refuses, saying why. */
    @Test
    void busyPollIsSetOnTheConnectionsOfEveryLoopOnEpollAndRefusedElsewhere() throws Exception {
        ConcurrentLinkedQueue<Integer> busyPolls = new ConcurrentLinkedQueue<>();
        StreamServer.Options options = StreamServer.Options.defaults().withBusyPoll(Duration.ofNanos(50_000));
        StreamServer.Handler handler = (socket, peer) -> {
            busyPolls.add(socket.option(LinuxSocketOptions.SO_BUSY_POLL));
            writeLine(socket, "ok");
        };
        if (!group.loops().getFirst().transport().equals("epoll")) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> group.serve(ANY_LOCAL_PORT, options, handler));
            assertTrue(e.getMessage().contains("cannot set SO_BUSY_POLL"), e::getMessage);
            return;
        }
        GroupServer server = group.serve(ANY_LOCAL_PORT, options, handler);
        for (int i = 0; i < 8; i++) {
            try (Socket client = connect(server.address())) {
                assertEquals("ok", reader(client).readLine());
            }
        }
        server.stop(GRACE);
        assertEquals(List.of(50, 50, 50, 50, 50, 50, 50, 50), List.copyOf(busyPolls));
    }

    /** A shutdown hook's {@code group.close(grace)}: every server stops gracefully, then the loops end. */
    @Test
    void closeWithGraceLetsTheRequestsInFlightFinish() throws Exception {
        Event release = new Event();
        AtomicReference<String> second = new AtomicReference<>();
        GroupServer first = group.serve(ANY_LOCAL_PORT, StreamServer.Options.defaults(), (socket, peer) -> {
            readLine(socket);
            writeLine(socket, "started");
            release.await();
            writeLine(socket, "done");
        });
        InetSocketAddress other = group.serve(ANY_LOCAL_PORT, (socket, peer) -> writeLine(socket, "other"));
        try (Socket client = connect(first.address()); Socket otherClient = connect(other)) {
            second.set(reader(otherClient).readLine());
            assertEquals("started", ask(client, "go"));
            Thread closer = Thread.ofPlatform().name("closer").start(() -> group.close(GRACE));
            Eventually.awaitOffLoop("the stop to begin", first::stopping);
            release.set();
            assertEquals("done", reader(client).readLine());
            closer.join();
        }
        assertEquals("other", second.get());
        assertEquals(0, first.activeHandlers());
        assertThrows(IllegalStateException.class, () -> group.submit(() -> 1));
    }
}
