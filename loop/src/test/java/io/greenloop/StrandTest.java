package io.greenloop;

import io.greenloop.net.TcpListener;
import io.greenloop.net.TcpSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one rule for which loop ({@link Strand#resolve()}): every loop-bound entry point, called first on
 * a thread with no loop, opens that thread's default loop, as gevent's {@code get_hub()} does; a plain
 * virtual thread started inside a greenlet acts on that greenlet's loop for every call.
 */
class StrandTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    /** How a body did on a fresh platform thread: whether it left a loop open there, and what it threw. */
    record Outcome(boolean opened, Throwable error) {
    }

    /** Runs {@code body} first thing on a new platform thread, then closes whatever loop it opened there. */
    static Outcome onAFreshThread(CheckedRunnable body) throws InterruptedException {
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            Throwable error = null;
            try {
                body.run();
            } catch (Throwable e) {
                error = e;
            }
            Strand strand = Strand.current();
            boolean opened = strand != null && strand.isOwner();
            if (opened) {
                strand.loop.close();
            }
            outcome.set(new Outcome(opened, error));
        });
        thread.join();
        return outcome.get();
    }

    private static void assertOpensItsLoop(String entryPoint, CheckedRunnable body) throws InterruptedException {
        Outcome outcome = onAFreshThread(body);
        assertNull(outcome.error(), () -> entryPoint + " failed on a thread with no loop: " + outcome.error());
        assertTrue(outcome.opened(), entryPoint + " did not open the thread's default loop");
    }

    @Test
    void greensFunctionsOpenTheDefaultLoopOnAFreshThread() throws Exception {
        assertOpensItsLoop("Green.sleep(d)", () -> Green.sleep(Duration.ofMillis(1)));
        assertOpensItsLoop("Green.sleep()", Green::sleep);
        assertOpensItsLoop("Green.withTimeout", () -> assertEquals("x", Green.withTimeout(Duration.ofSeconds(1), () -> "x")));
        assertOpensItsLoop("Timeout.start", () -> Timeout.start(Duration.ofSeconds(1)).close());
        assertOpensItsLoop("Green.joinAll", () -> Green.joinAll(List.of(), Duration.ofMillis(1)));
        assertOpensItsLoop("Green.waitAll", () -> assertEquals(List.of(), Green.waitAll(List.of(new Event()), Duration.ofMillis(1))));
        assertOpensItsLoop("Green.iwait", () -> assertFalse(Green.iwait(List.of(new Event()), Duration.ofMillis(1)).iterator().hasNext()));
        assertOpensItsLoop("Green.killAll", () -> Green.killAll(List.of()));
        assertOpensItsLoop("Green.waitAll()", Green::waitAll);
        assertOpensItsLoop("Greenlet.unstarted", () -> Greenlet.unstarted(() -> 1));
    }

    @Test
    void theFirstUseOfASynchronizationObjectOpensTheDefaultLoop() throws Exception {
        assertOpensItsLoop("Event.await", () -> assertFalse(new Event().await(Duration.ofMillis(1))));
        assertOpensItsLoop("Queue.put", () -> new Queue<String>().put("x"));
        assertOpensItsLoop("Semaphore.acquire", () -> new Semaphore(1).acquire());
        assertOpensItsLoop("Pool.spawn", () -> assertEquals(2, new Pool(1).spawn(() -> 2).get()));
        assertOpensItsLoop("Group.spawn", () -> assertEquals(3, new Group().spawn(() -> 3).get()));
        assertOpensItsLoop("Pool.map", () -> assertEquals(List.of(2, 4), new Pool(2).map(x -> x * 2, List.of(1, 2))));
    }

    @Test
    void socketsOpenTheDefaultLoopOnAFreshThread() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        assertOpensItsLoop("TcpListener.bind", () -> TcpListener.bind(any, 1).close());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertOpensItsLoop("TcpSocket.connect", () -> TcpSocket.connect("127.0.0.1", server.getLocalPort()).close());
        }
    }

    @Test
    void callsThatCanBlockAForeignThreadOpenNoLoop() throws Exception {
        Greenlet<String> sleeper = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(20));
            return "slept";
        });
        AsyncResult<String> result = new AsyncResult<>();
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread foreign = Thread.ofPlatform().start(() -> {
            try {
                try (ThreadPool pool = new ThreadPool(1)) {
                    seen.set(List.of(sleeper.get(), result.get(), pool.apply(() -> "applied"), Strand.current() == null));
                }
            } catch (Exception e) {
                seen.set(e);
            }
        });
        Green.spawn(() -> result.set("set"));
        while (foreign.isAlive()) {
            Green.sleep(Duration.ofMillis(2));
        }
        assertEquals(List.of("slept", "set", "applied", true), seen.get());
    }

    @Test
    void aVirtualThreadStartedInAGreenletActsOnThatLoop() throws Exception {
        Greenlet<Object> greenlet = Green.spawn(() -> {
            AtomicReference<Object> seen = new AtomicReference<>();
            Thread guest = Thread.ofVirtual().start(() -> {
                try {
                    seen.set(useTheLoop());
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            guest.join();
            return seen.get();
        });
        Object outcome = greenlet.get();
        if (outcome instanceof Throwable error) {
            throw new AssertionError("a virtual thread started in a greenlet could not use its loop", error);
        }
        assertEquals(List.of(true, "child", true, "x", "hi"), outcome);
    }

    /** Every kind of call a greenlet makes, from a plain virtual thread: each must find the greenlet's loop. */
    private List<Object> useTheLoop() throws Exception {
        boolean sameLoop = Green.loop() == loop.loop();
        Green.sleep(Duration.ofMillis(2));
        Greenlet<String> child = Green.spawn(() -> "child");
        Event event = new Event();
        Green.spawn(event::set);
        boolean set = event.await(Duration.ofSeconds(5));
        Queue<String> queue = new Queue<>();
        Green.spawn(() -> queue.put("x"));
        String taken = queue.take();
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1)) {
            Greenlet<Void> client = Green.spawn(() -> {
                try (TcpSocket socket = TcpSocket.connect(listener.localAddress(), Duration.ofSeconds(5))) {
                    socket.write("hi".getBytes(StandardCharsets.US_ASCII), 0, 2);
                }
            });
            try (TcpSocket accepted = listener.accept()) {
                byte[] buffer = new byte[2];
                int n = accepted.read(buffer, 0, 2);
                client.join();
                return List.of(sameLoop, child.get(), set, taken, new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void aGuestVirtualThreadHasNoGreenletButTheLoopsStrand() throws Exception {
        Greenlet<List<Object>> greenlet = Green.spawn(() -> {
            AtomicReference<List<Object>> seen = new AtomicReference<>();
            Thread guest = Thread.ofVirtual().start(() -> seen.set(java.util.Arrays.asList(Green.current(), Strand.current().loop)));
            guest.join();
            return seen.get();
        });
        List<Object> seen = greenlet.get();
        assertNull(seen.get(0));
        assertSame(loop.loop(), seen.get(1));
    }

    @Test
    void aGreenletThatReplacesItsThreadsUncaughtExceptionHandlerKeepsItsStrand() throws Exception {
        // A greenlet's thread carries its strand as its handler; one replaced by the body must not turn the
        // greenlet into a stranger: its waits must still be the greenlet's, so that a kill reaches them.
        Event never = new Event();
        Greenlet<Void> greenlet = Green.spawn(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((thread, error) -> { });
            never.await();
        });
        Green.sleep(Duration.ofMillis(10));
        assertFalse(greenlet.dead());
        greenlet.kill();
        assertTrue(greenlet.dead());
        assertTrue(greenlet.exception() instanceof GreenletExit, () -> "killed with " + greenlet.exception());
        Greenlet<Object> current = Green.spawn(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((thread, error) -> { });
            return Strand.current().greenlet;  // the lookup itself, not the loop's one-entry cache
        });
        assertSame(current, current.get());
    }
}
