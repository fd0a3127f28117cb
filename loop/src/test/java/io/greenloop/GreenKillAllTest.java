package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The killall cases of gevent's test__greenlet.py and test__greenletset.py, for {@link Green#killAll}. */
class GreenKillAllTest {

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    /** A greenlet that catches every kill and counts it, until told to stop (gevent's Undead). */
    private static final class Undead {
        int shots;
        int laps;
        boolean stop;

        void run() {
            while (!stop) {
                try {
                    Green.sleep(Duration.ofMillis(5));
                } catch (GreenletExit e) {
                    shots++;
                }
                laps++;
            }
        }
    }

    private static void awaitShotsThenTwoLaps(Undead undead, int shots) {
        Eventually.await(shots + " kill(s) to land", () -> undead.shots >= shots);
        int laps = undead.laps;
        Eventually.await("two more laps", () -> undead.laps >= laps + 2);
    }

    @Test
    void killsGreenletsThatNeverStartedSoTheirBodiesNeverRun() {
        List<String> ran = new ArrayList<>();
        List<Greenlet<?>> linked = new ArrayList<>();
        Greenlet<Boolean> greenlet = Green.spawn(() -> ran.add("ran"));
        greenlet.link(linked::add);
        Green.killAll(List.of(greenlet));
        assertTrue(greenlet.ready());
        assertInstanceOf(GreenletExit.class, greenlet.exception());
        assertTrue(greenlet.successful(), "a kill counts as successful");
        Green.sleep();
        assertEquals(List.of(), ran);
        assertEquals(List.of(greenlet), linked);
        Green.killAll(List.of(greenlet));                  // a second kill does not hurt
        assertInstanceOf(GreenletExit.class, greenlet.exception());
    }

    @Test
    void killsRunningGreenletsAllAtOnceAndWaits() {
        List<Greenlet<?>> sleepers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sleepers.add(Green.spawn(() -> Green.sleep(Duration.ofSeconds(30))));
        }
        Green.sleep();
        long start = System.nanoTime();
        Green.killAll(Set.copyOf(sleepers));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
        for (Greenlet<?> sleeper : sleepers) {
            assertInstanceOf(GreenletExit.class, sleeper.exception());
        }
    }

    @Test
    void finishedGreenletsAreLeftAlone() {
        Greenlet<String> done = Green.spawn(() -> "value");
        done.join();
        Green.killAll(List.of(done));
        assertEquals("value", done.value());
        assertEquals(null, done.exception());
    }

    /** test_kill_fires_once and test_killall_iterable_argument_timeout_started. */
    @Test
    void aGreenletThatCatchesTheKillMakesTheTimedKillAllReturnFalse() {
        Undead first = new Undead();
        Undead second = new Undead();
        Greenlet<Void> a = Green.spawn(first::run);
        Greenlet<Void> b = Green.spawn(second::run);
        Eventually.await("both to be running", () -> first.laps > 0 && second.laps > 0);
        assertFalse(Green.killAll(List.of(a, b), Duration.ofMillis(30)));
        // The kills are queued at once but only land when the greenlets run, which a loaded machine can put
        // after the 30 ms: wait for them by cause, then for two more laps so that a kill raised twice would show.
        awaitShotsThenTwoLaps(first, 1);
        awaitShotsThenTwoLaps(second, 1);
        assertEquals(1, first.shots, "one kill, raised once");
        assertEquals(1, second.shots);
        assertFalse(a.ready() || b.ready());
        assertThrows(Timeout.Expired.class, () -> Green.withTimeout(Duration.ofMillis(30), () -> {
            Green.killAll(List.of(a, b));
            return null;
        }));
        awaitShotsThenTwoLaps(first, 2);
        assertEquals(2, first.shots);
        first.stop = true;
        second.stop = true;
        Green.joinAll(List.of(a, b), Duration.ofSeconds(5));
        assertTrue(a.ready() && b.ready());
    }

    @Test
    void aCallerInTheListKillsTheOthersFirstThenItself() {
        Greenlet<Void> other = Green.spawn(() -> Green.sleep(Duration.ofSeconds(30)));
        List<String> seen = new ArrayList<>();
        Greenlet<?>[] self = new Greenlet<?>[1];
        self[0] = Green.spawn(() -> {
            try {
                Green.killAll(List.of(self[0], other));
            } finally {
                seen.add(other.ready() ? "other dead" : "other alive");
            }
        });
        self[0].join(Duration.ofSeconds(5));
        assertInstanceOf(GreenletExit.class, self[0].exception());
        assertEquals(List.of("other dead"), seen);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(NullPointerException.class, () -> Green.killAll(null));
        List<Greenlet<?>> withNull = new ArrayList<>();
        withNull.add(null);
        NullPointerException error = assertThrows(NullPointerException.class, () -> Green.killAll(withNull));
        assertTrue(error.getMessage().contains("null greenlet"), error.getMessage());
    }
}
