package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GreenletTest {

    @RegisterExtension
    final LoopExtension loop = new LoopExtension();

    @Test
    void valueOfAFinishedGreenlet() throws Exception {
        Greenlet<String> greenlet = Green.spawn(() -> "hello");
        assertFalse(greenlet.ready());
        assertEquals("hello", greenlet.get());
        assertTrue(greenlet.ready());
        assertTrue(greenlet.successful());
        assertEquals("hello", greenlet.value());
        assertNull(greenlet.exception());
        assertTrue(greenlet.name().startsWith("Greenlet-"));
    }

    /** Two loops' first greenlets once had the same name in a thread dump; each now carries its loop's. */
    @Test
    void greenletsOfTwoLoopsHaveNamesOfTheirOwn() throws Exception {
        String here = Green.spawn(() -> Thread.currentThread().getName()).get();
        AtomicReference<String> there = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try (Loop second = Loop.open()) {
                there.set(second.spawn(() -> Thread.currentThread().getName()).get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        other.join();
        assertTrue(here.startsWith("Greenlet-0@"), here);
        assertTrue(there.get().startsWith("Greenlet-0@"), there.get());
        assertNotEquals(here, there.get(), "the first greenlet of each loop");
    }

    @Test
    void aFailureGoesToTheErrorHandlerAndTheOthersGoOn() throws Exception {
        Greenlet<Object> failing = Green.spawn(() -> {
            Green.sleep();
            throw new IllegalArgumentException("boom");
        });
        Greenlet<Integer> other = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(20));
            return 7;
        });
        assertEquals(7, other.get());
        ExecutionException thrown = assertThrows(ExecutionException.class, failing::get);
        assertInstanceOf(IllegalArgumentException.class, thrown.getCause());
        assertFalse(failing.successful());
        assertEquals("boom", failing.exception().getMessage());
        List<Throwable> reported = loop.takeErrors();
        assertEquals(1, reported.size());
        assertSame(failing.exception(), reported.getFirst());
    }

    @Test
    void aGreenletKilledBeforeItStartsNeverRuns() {
        List<String> ran = new ArrayList<>();
        Greenlet<Boolean> greenlet = Green.spawn(() -> ran.add("ran"));
        greenlet.kill();
        assertTrue(greenlet.ready());
        assertTrue(greenlet.successful());
        assertInstanceOf(GreenletExit.class, greenlet.exception());
        Green.waitAll();
        assertEquals(List.of(), ran);
    }

    @Test
    void killRaisesAtTheBlockingPointRunsFinallyAndWaits() {
        List<String> events = new ArrayList<>();
        Greenlet<Void> greenlet = Green.spawn(() -> {
            try {
                events.add("sleeping");
                Green.sleep(Duration.ofSeconds(30));
                events.add("woke normally");
            } finally {
                events.add("finally");
            }
        });
        Green.sleep(Duration.ofMillis(10));
        greenlet.kill();
        assertEquals(List.of("sleeping", "finally"), events, "kill() returns only once the greenlet is dead");
        assertTrue(greenlet.ready());
        assertTrue(greenlet.successful(), "a GreenletExit counts as success, as in gevent");
        assertNull(greenlet.value());
    }

    @Test
    void catchExceptionCannotSwallowAKill() {
        List<String> events = new ArrayList<>();
        Greenlet<Void> greenlet = Green.spawn(() -> {
            try {
                Green.sleep(Duration.ofSeconds(30));
            } catch (Exception e) {
                events.add("swallowed " + e);
            }
            events.add("went on");
        });
        Green.sleep(Duration.ofMillis(5));
        greenlet.kill();
        assertEquals(List.of(), events);
    }

    @Test
    void killWithAnotherErrorFailsTheGreenlet() {
        Greenlet<Void> greenlet = Green.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        Green.sleep();
        IllegalStateException error = new IllegalStateException("stop now");
        greenlet.kill(error, true, Duration.ofSeconds(5));
        assertSame(error, greenlet.exception());
        assertFalse(greenlet.successful());
        assertEquals(List.of(error), loop.takeErrors());
    }

    @Test
    void killEndsAJdkBlockingCallWithGreenletExit() {
        Greenlet<Void> greenlet = Green.spawn(() -> Thread.sleep(30_000));
        Green.sleep(Duration.ofMillis(20));
        greenlet.kill();
        assertTrue(greenlet.successful());
        assertInstanceOf(GreenletExit.class, greenlet.exception());
    }

    @Test
    void cancelKillsAndGetThrowsCancellation() {
        Greenlet<Void> greenlet = Green.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        assertTrue(greenlet.cancel(true));
        assertTrue(greenlet.isCancelled());
        assertThrows(CancellationException.class, greenlet::get);
        assertFalse(greenlet.cancel(true));
    }

    @Test
    void linkRunsOnTheLoopAfterTheEndAndAtOnceForAFinishedOne() {
        List<String> events = new ArrayList<>();
        Greenlet<Integer> greenlet = Green.spawn(() -> {
            events.add("body");
            return 1;
        });
        greenlet.link(g -> events.add("link saw " + g.value()));
        greenlet.join();
        Green.sleep();
        assertEquals(List.of("body", "link saw 1"), events);

        greenlet.link(g -> events.add("late link"));
        assertEquals(2, events.size(), "linking a finished greenlet schedules the callback, it does not run it inline");
        Green.sleep();
        assertEquals("late link", events.getLast());
    }

    @Test
    void joinWithATimeout() {
        Greenlet<Void> greenlet = Green.spawn(() -> Green.sleep(Duration.ofMillis(100)));
        assertFalse(greenlet.join(Duration.ofMillis(10)));
        assertTrue(greenlet.join(Duration.ofSeconds(5)));
    }

    @Test
    void currentIsTheGreenletInsideAndNullOutside() throws Exception {
        AtomicReference<Greenlet<?>> seen = new AtomicReference<>();
        Greenlet<Void> greenlet = Green.spawn(() -> seen.set(Green.current()));
        greenlet.get();
        assertSame(greenlet, seen.get());
        assertNull(Green.current());
    }

    @Test
    void aGreenletCannotJoinItself() {
        AtomicReference<Greenlet<?>> self = new AtomicReference<>();
        Greenlet<Void> greenlet = Green.spawn(() -> self.get().join());
        self.set(greenlet);
        greenlet.join();
        assertInstanceOf(IllegalStateException.class, greenlet.exception());
        loop.takeErrors();
    }

    @Test
    void anotherThreadCanWaitForAGreenletButNotKillIt() throws Exception {
        Greenlet<String> greenlet = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(100));
            return "done";
        });
        AtomicReference<Object> fromOtherThread = new AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                greenlet.kill();
            } catch (IllegalStateException expected) {
                fromOtherThread.set(expected.getMessage());
            }
            try {
                fromOtherThread.set(fromOtherThread.get() + " | " + greenlet.get());
            } catch (Exception e) {
                fromOtherThread.set(e);
            }
        });
        Green.waitAll();
        other.join(5_000);
        String result = String.valueOf(fromOtherThread.get());
        assertTrue(result.contains("belongs to"), result);
        assertTrue(result.endsWith(" | done"), result);
    }

    @Test
    void greenletsRunOnTheLoopThread() throws Exception {
        String owner = Thread.currentThread().getName();
        Greenlet<String> greenlet = Green.spawn(() -> {
            Green.sleep(Duration.ofMillis(1));
            return Thread.currentThread().toString();
        });
        // A mounted virtual thread names its carrier after the '@'.
        assertTrue(greenlet.get().endsWith("@" + owner), greenlet.get());
        assertTrue(greenlet.get().contains(greenlet.name()), greenlet.get());
    }

    // Ported from gevent's test__greenlet.py (start, start_later, kill before start, kill(block=False)).

    @Test
    void anUnstartedGreenletRunsOnlyOnceStartedAndASecondStartDoesNothing() throws Exception {
        List<String> ran = new ArrayList<>();
        Greenlet<String> greenlet = Greenlet.unstarted(() -> {
            ran.add("ran");
            return "value";
        });
        Green.sleep(Duration.ofMillis(5));
        assertFalse(greenlet.started());
        assertFalse(greenlet.dead());
        assertFalse(greenlet.ready());
        assertEquals(List.of(), ran);
        assertSame(greenlet, greenlet.start());
        assertTrue(greenlet.started());
        greenlet.start();
        assertEquals("value", greenlet.get());
        assertEquals(List.of("ran"), ran);
        assertTrue(greenlet.dead());
    }

    @Test
    void anUnstartedGreenletDoesNotKeepTheLoopAlive() {
        Greenlet<Integer> greenlet = Greenlet.unstarted(() -> 1);
        Green.waitAll();
        assertFalse(greenlet.started());
        greenlet.start();
        Green.waitAll();
        assertEquals(1, greenlet.value());
    }

    @Test
    void startLaterRunsItAfterTheDelay() throws Exception {
        long begin = System.nanoTime();
        Greenlet<Long> greenlet = Greenlet.unstarted(() -> System.nanoTime() - begin).startLater(Duration.ofMillis(30));
        assertTrue(greenlet.started());
        assertFalse(greenlet.dead());
        greenlet.startLater(Duration.ofDays(1));  // already started: no-op
        greenlet.start();
        assertTrue(greenlet.get() >= Duration.ofMillis(30).toNanos());
    }

    @Test
    void aGreenletKilledBeforeItStartsNeverRunsAndIsDead() {
        List<String> ran = new ArrayList<>();
        List<String> linked = new ArrayList<>();
        Greenlet<Void> unstarted = Greenlet.unstarted(() -> {
            ran.add("unstarted");
            return null;
        });
        Greenlet<Void> delayed = Greenlet.<Void>unstarted(() -> {
            ran.add("delayed");
            return null;
        }).startLater(Duration.ofMillis(10));
        unstarted.link(g -> linked.add("unstarted"));
        unstarted.kill();
        delayed.kill(false);
        for (Greenlet<Void> greenlet : List.of(unstarted, delayed)) {
            assertTrue(greenlet.dead());
            assertTrue(greenlet.ready());
            assertTrue(greenlet.successful());
            assertInstanceOf(GreenletExit.class, greenlet.exception());
        }
        Green.sleep(Duration.ofMillis(30));
        assertEquals(List.of(), ran);
        assertEquals(List.of("unstarted"), linked);
        unstarted.start();  // a start after death does nothing
        Green.sleep();
        assertEquals(List.of(), ran);
    }

    @Test
    void killWithoutBlockingReturnsAtOnceAndTheGreenletDiesSoonAfter() {
        List<String> events = new ArrayList<>();
        Greenlet<Void> greenlet = Green.spawn(() -> {
            try {
                Green.sleep(Duration.ofSeconds(10));
            } finally {
                events.add("finally");
            }
        });
        Green.sleep();
        greenlet.kill(false);
        assertFalse(greenlet.dead());
        assertEquals(List.of(), events);
        greenlet.join();
        assertTrue(greenlet.dead());
        assertEquals(List.of("finally"), events);
    }

    @Test
    void killWithANullErrorRaisesGreenletExit() {
        Greenlet<Void> greenlet = Green.spawn(() -> Green.sleep(Duration.ofSeconds(10)));
        Green.sleep();
        greenlet.kill(null, true, null);
        assertInstanceOf(GreenletExit.class, greenlet.exception());
    }

    @Test
    void startIsRefusedOffItsLoop() throws Exception {
        Greenlet<Integer> greenlet = Greenlet.unstarted(() -> 1);
        assertInstanceOf(IllegalStateException.class, OffLoop.thrownBy(greenlet::start));
        greenlet.kill();
    }

    @Test
    void itsCompletableFutureCompletesAsItFinishesAndCancellingTheFutureDoesNotKillIt() throws Exception {
        Event go = new Event();
        Greenlet<String> greenlet = Green.spawn(() -> {
            go.await();
            return "done";
        });
        CompletableFuture<String> mine = greenlet.toCompletableFuture();
        CompletableFuture<String> yours = greenlet.toCompletableFuture();
        AtomicReference<Boolean> onItsLoop = new AtomicReference<>();
        CompletableFuture<Integer> chained = yours.thenApply(value -> {
            onItsLoop.set(loop.loop().thread.isCurrent());
            return value.length();
        });
        assertTrue(mine.cancel(true));
        Green.sleep(Duration.ofMillis(20));
        assertFalse(greenlet.dead(), "cancelling the future did not kill the greenlet");
        assertFalse(yours.isDone(), "nor did it complete another caller's future");
        go.set();
        assertEquals("done", greenlet.get());
        assertEquals(4, chained.getNow(-1), "completed as the greenlet finished, with nobody waiting for it");
        assertEquals(Boolean.TRUE, onItsLoop.get(), "the stage ran on the greenlet's loop");
        assertTrue(mine.isCancelled());
    }

    @Test
    void itsCompletableFutureReportsTheOutcomeAsGetDoes() throws Exception {
        IOException error = new IOException("disk on fire");
        Greenlet<String> failing = Green.spawn(() -> {
            throw error;
        });
        CompletableFuture<String> failed = failing.toCompletableFuture();
        failing.join();
        loop.forgetError(error);
        assertSame(error, failed.exceptionNow());

        Greenlet<String> killed = Green.spawn(() -> {
            Green.sleep(Duration.ofSeconds(10));
            return "never";
        });
        CompletableFuture<String> ofKilled = killed.toCompletableFuture();
        Green.sleep();
        killed.kill();
        assertNull(ofKilled.getNow("not completed"), "a kill counts as success with no value, as get() says");

        Greenlet<String> cancelled = Green.spawn(() -> {
            Green.sleep(Duration.ofSeconds(10));
            return "never";
        });
        CompletableFuture<String> ofCancelled = cancelled.toCompletableFuture();
        Green.sleep();
        cancelled.cancel(true);
        cancelled.join();
        assertTrue(ofCancelled.isCancelled());

        Greenlet<String> finished = Green.spawn(() -> "done");
        finished.join();
        assertEquals("done", finished.toCompletableFuture().getNow("not completed"), "a finished greenlet's is complete");
    }

    @Test
    void aThreadWithNoLoopGetsTheFutureWithoutMakingALoopOrWaiting() throws Exception {
        Event go = new Event();
        Greenlet<String> greenlet = Green.spawn(() -> {
            go.await();
            return "done";
        });
        AtomicReference<CompletableFuture<String>> future = new AtomicReference<>();
        AtomicReference<Object> askerLoop = new AtomicReference<>("not run");
        Thread asker = Thread.ofPlatform().start(() -> {
            future.set(greenlet.toCompletableFuture().thenApply(value -> value + " and composed"));
            askerLoop.set(Strand.current());
        });
        asker.join();
        assertNull(askerLoop.get(), "no loop was made for the asking thread");
        assertFalse(future.get().isDone());
        go.set();
        greenlet.join();
        assertEquals("done and composed", future.get().getNow("not completed"));
    }
}
