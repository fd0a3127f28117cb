package io.greenloop;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gevent's {@code monkey.patch_all()}, answered by the JDK: its blocking calls park a virtual thread, and a
 * greenlet is a virtual thread scheduled by the loop. Each test runs many of one kind of call inside
 * greenlets of this test's loop and checks that they overlap (so none held the loop) and that a ticker
 * greenlet kept ticking.
 */
class JdkBlockingCallsTest {

    private static final Duration SERVER_DELAY = Duration.ofMillis(300);
    /** How many times the loop must tick while the calls wait: each test's "the loop kept running". */
    private static final int TICKS = 10;
    /** How long a hold waits for those ticks at most: beyond every overlap bound below, so a held loop fails them. */
    private static final Duration TICK_WAIT = Duration.ofSeconds(5);

    /** The running test's ticker, which the other threads' holds wait for (tests in a class run one at a time). */
    private static volatile Ticker running;

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void aHundredHttpClientSendsToASlowServerOverlap() throws Exception {
        try (SlowHttpServer server = new SlowHttpServer(); HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            Ticker ticker = startTicker();
            long start = System.nanoTime();
            List<Greenlet<String>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                URI uri = server.uri("/item/" + i);
                calls.add(Green.spawn(() -> {
                    assertOnThisLoop();
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    return response.statusCode() + " " + response.body();
                }));
            }
            Green.joinAll(calls, Duration.ofSeconds(20));
            long elapsed = millisSince(start);
            ticker.stop();
            for (int i = 0; i < 100; i++) {
                assertEquals("200 you asked for /item/" + i, calls.get(i).value(), String.valueOf(calls.get(i).exception()));
            }
            assertTrue(elapsed < 3000, "100 x 300 ms requests overlapped: " + elapsed + " ms");
            assertTrue(ticker.ticks() >= 10, ticker.toString());
        }
    }

    @Test
    void httpUrlConnectionsOverlap() throws Exception {
        try (SlowHttpServer server = new SlowHttpServer()) {
            Ticker ticker = startTicker();
            long start = System.nanoTime();
            List<Greenlet<String>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                URI uri = server.uri("/legacy/" + i);
                calls.add(Green.spawn(() -> {
                    assertOnThisLoop();
                    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
                    try (InputStream body = connection.getInputStream()) {
                        return connection.getResponseCode() + " " + new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    }
                }));
            }
            Green.joinAll(calls, Duration.ofSeconds(20));
            long elapsed = millisSince(start);
            ticker.stop();
            for (int i = 0; i < 20; i++) {
                assertEquals("200 you asked for /legacy/" + i, calls.get(i).value(), String.valueOf(calls.get(i).exception()));
            }
            assertTrue(elapsed < 20 * SERVER_DELAY.toMillis() / 3, "20 x 300 ms requests overlapped: " + elapsed + " ms");
            assertTrue(ticker.ticks() >= 10, ticker.toString());
        }
    }

    @Test
    void javaNetSocketsOverlap() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> echoEachAfterADelay(server));
            Ticker ticker = startTicker();
            long start = System.nanoTime();
            List<Greenlet<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int value = i;
                clients.add(Green.spawn(() -> {
                    assertOnThisLoop();
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                        socket.getOutputStream().write(value);
                        return socket.getInputStream().read();
                    }
                }));
            }
            Green.joinAll(clients, Duration.ofSeconds(20));
            long elapsed = millisSince(start);
            ticker.stop();
            for (int i = 0; i < 20; i++) {
                assertEquals(i, clients.get(i).value(), String.valueOf(clients.get(i).exception()));
            }
            assertTrue(elapsed < 20 * SERVER_DELAY.toMillis() / 3, "20 delayed echoes overlapped: " + elapsed + " ms");
            assertTrue(ticker.ticks() >= 10, ticker.toString());
            acceptor.interrupt();
        }
    }

    @Test
    void threadSleepsOverlap() {
        Ticker ticker = startTicker();
        long start = System.nanoTime();
        List<Greenlet<Void>> sleepers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sleepers.add(Green.spawn(() -> {
                assertOnThisLoop();
                holdWhileTheLoopTicks();  // Thread.sleep(300), then Thread.sleep(1) until the loop ticked 10 times
            }));
        }
        Green.joinAll(sleepers, Duration.ofSeconds(10));
        long elapsed = millisSince(start);
        ticker.stop();
        assertTrue(sleepers.stream().allMatch(Greenlet::successful));
        assertTrue(elapsed < 2000, "100 x 300 ms sleeps overlapped: " + elapsed + " ms");
        assertTrue(ticker.ticks() >= 10, ticker.toString());
    }

    @Test
    void aReentrantLockHeldByAnotherThreadParksOnlyTheGreenlet() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Ticker ticker = startTicker();
        try (var holder = new HeldByAnotherThread(lock::lock, lock::unlock, lock::hasQueuedThreads)) {
            Greenlet<Long> waiter = Green.spawn(() -> {
                assertOnThisLoop();
                long start = System.nanoTime();
                lock.lock();
                try {
                    return millisSince(start);
                } finally {
                    lock.unlock();
                }
            });
            long waited = waiter.get();
            ticker.stop();
            assertTrue(holder.sawTheWaiterQueued(), "it waited for the other thread: " + waited + " ms");
            assertTrue(ticker.ticks() >= 10, ticker.toString());
        }
    }

    @Test
    void aMonitorHeldByAnotherThreadParksOnlyTheGreenlet() throws Exception {
        Object monitor = new Object();
        Ticker ticker = startTicker();
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        BooleanSupplier waiterBlocked = () -> waiterThread.get() != null && waiterThread.get().getState() == Thread.State.BLOCKED;
        try (var holder = new HeldByAnotherThread(monitor, waiterBlocked)) {
            Greenlet<Long> waiter = Green.spawn(() -> {
                assertOnThisLoop();
                waiterThread.set(Thread.currentThread());
                long start = System.nanoTime();
                synchronized (monitor) {
                    return millisSince(start);
                }
            });
            long waited = waiter.get();
            ticker.stop();
            assertTrue(holder.sawTheWaiterQueued(), "it waited for the other thread: " + waited + " ms");
            assertTrue(ticker.ticks() >= 10, "synchronized parks the greenlet (JDK 24+), not the loop: " + ticker);
        }
    }

    @Test
    void aBlockingQueueTakeParksOnlyTheGreenlet() throws Exception {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Ticker ticker = startTicker();
        Greenlet<String> consumer = Green.spawn(() -> {
            assertOnThisLoop();
            return queue.take();
        });
        Thread producer = Thread.ofPlatform().start(() -> {
            holdWhileTheLoopTicks();
            queue.add("from a plain thread");
        });
        assertEquals("from a plain thread", consumer.get());
        producer.join();
        ticker.stop();
        assertTrue(ticker.ticks() >= 10, ticker.toString());
    }

    /** Each body runs inside a greenlet of this test's loop, on the loop's thread. */
    private void assertOnThisLoop() {
        assertTrue(Green.current() != null, "inside a greenlet");
        assertSame(loop.loop(), Green.loop(), "a greenlet of this test's loop");
        assertTrue(Thread.currentThread().isVirtual());
    }

    /** A JDK HttpServer on loopback that answers each request after {@link #SERVER_DELAY}. */
    private static final class SlowHttpServer implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();

        SlowHttpServer() throws Exception {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            server.setExecutor(handlers);
            server.createContext("/", exchange -> {
                holdWhileTheLoopTicks();
                byte[] body = ("you asked for " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        }

        @Override
        public void close() {
            server.stop(0);
            handlers.close();
        }
    }

    /**
     * Holds a lock or monitor on a platform thread from construction until the greenlet under test is queued on
     * it and the loop has ticked meanwhile ({@link #holdWhileTheLoopTicks()}): ordered by cause, where a fixed
     * 300 ms from construction could pass before a late-starting greenlet had even tried.
     */
    private static final class HeldByAnotherThread implements AutoCloseable {
        private final Thread thread;
        private volatile boolean sawTheWaiterQueued;

        HeldByAnotherThread(Runnable acquire, Runnable release, BooleanSupplier waiterQueued) throws InterruptedException {
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            thread = Thread.ofPlatform().start(() -> {
                acquire.run();
                try {
                    held.countDown();
                    holdUntilQueuedAndTicked(waiterQueued);
                } finally {
                    release.run();
                }
            });
            held.await();
        }

        HeldByAnotherThread(Object monitor, BooleanSupplier waiterBlocked) throws InterruptedException {
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            thread = Thread.ofPlatform().start(() -> {
                synchronized (monitor) {
                    held.countDown();
                    holdUntilQueuedAndTicked(waiterBlocked);
                }
            });
            held.await();
        }

        private void holdUntilQueuedAndTicked(BooleanSupplier waiterQueued) {
            long end = System.nanoTime() + TICK_WAIT.toNanos();
            while (!waiterQueued.getAsBoolean() && System.nanoTime() - end < 0) {
                sleepQuietly(1);
            }
            sawTheWaiterQueued = waiterQueued.getAsBoolean();
            holdWhileTheLoopTicks();
        }

        /** Whether the greenlet was queued on the lock or monitor while this thread held it. */
        boolean sawTheWaiterQueued() {
            return sawTheWaiterQueued;
        }

        @Override
        public void close() throws InterruptedException {
            thread.join();
        }
    }

    /** Starts this test's ticker, which {@link #holdWhileTheLoopTicks()} waits for. */
    private static Ticker startTicker() {
        Ticker ticker = Ticker.start(Duration.ofMillis(10));
        running = ticker;
        return ticker;
    }

    /**
     * What each server, lock holder and producer does instead of a fixed 300 ms sleep: holds {@link #SERVER_DELAY}
     * and then until the loop has ticked {@link #TICKS} times, so that "the loop ran while the calls waited" holds
     * by cause (a fixed delay left fewer than 10 ticks on a loaded machine). Were the loop held by the calls, it
     * could not tick, and the hold would end only after {@link #TICK_WAIT}, failing the overlap bounds.
     */
    private static void holdWhileTheLoopTicks() {
        sleepQuietly(SERVER_DELAY.toMillis());
        Ticker ticker = running;
        long end = System.nanoTime() + TICK_WAIT.toNanos();
        while (ticker != null && ticker.ticks() < TICKS && System.nanoTime() - end < 0) {
            sleepQuietly(1);
        }
    }

    private static void echoEachAfterADelay(ServerSocket server) {
        while (true) {
            try {
                Socket client = server.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (client) {
                        int b = client.getInputStream().read();
                        holdWhileTheLoopTicks();
                        client.getOutputStream().write(b);
                    } catch (Exception ignored) {
                        // the test's client went away
                    }
                });
            } catch (Exception e) {
                return;
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
