package io.greenloop.tour;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import javax.management.ObjectName;

/**
 * Watching a loop: a greenlet that holds it too long gets the blocked-loop report (a WARNING with its
 * stack, and a JFR event when a recording runs), the loop's statistics count it, and the loop's JMX bean
 * is there for jconsole. README's "Watch it" records the tour with JFR and prints the events.
 */
final class WatchSection {

    private WatchSection() {
    }

    static void run(Loop loop) throws Exception {
        Tour.section("Watching a loop: statistics, the blocked-loop report, JMX");
        long reportsBefore = loop.stats().blockedReports();
        Greenlet<Void> hog = Green.spawn(() -> spinWithoutYielding(Duration.ofMillis(300)));
        hog.join();
        // The report is written by a thread of its own; give it a moment to land.
        for (int i = 0; i < 100 && loop.stats().blockedReports() == reportsBefore; i++) {
            Green.sleep(Duration.ofMillis(10));
        }
        System.out.println(hog.name() + " spun 300 ms without yielding; blocked-loop reports: "
                + reportsBefore + " -> " + loop.stats().blockedReports());
        System.out.println("loop.stats(): " + loop.stats());
        System.out.println("JMX beans: " + ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("io.greenloop:type=Loop,*"), null));
    }

    /** Busy CPU work that never parks: everything else on the loop waits meanwhile. */
    private static void spinWithoutYielding(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
