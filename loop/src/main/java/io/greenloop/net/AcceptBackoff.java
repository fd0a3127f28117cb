package io.greenloop.net;

import java.time.Duration;

/**
 * How long a server pauses after a failed accept (out of file descriptors, out of memory): 10 ms, then
 * doubling up to a second, as gevent's server does, so that a listener that keeps failing neither spins
 * the loop nor waits long once the cause is gone. A run of failures is one incident, reported once.
 * Loop thread only.
 */
final class AcceptBackoff {

    /** The first pause: long enough for a few connections to close and free their descriptors. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(10);
    /** The longest pause: a server that recovers should be accepting again within a second. */
    static final Duration MAX_PAUSE = Duration.ofSeconds(1);

    private Duration next = FIRST_PAUSE;
    private int failures;

    /** Records a failed accept; returns how long to pause before the next one. */
    Duration failed() {
        failures++;
        Duration pause = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : doubled;
        return pause;
    }

    /** Whether the failure just recorded began an incident (so it is the one to report). */
    boolean incidentJustBegan() {
        return failures == 1;
    }

    /** Records a successful accept; returns how many failures the incident it ends had (0: there was none). */
    int succeeded() {
        int ended = failures;
        failures = 0;
        next = FIRST_PAUSE;
        return ended;
    }
}
