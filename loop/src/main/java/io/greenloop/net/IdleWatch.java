package io.greenloop.net;

import io.greenloop.Cancellable;
import io.greenloop.Loop;

import java.time.Duration;

/**
 * Closes a server's connection that has moved no data for its idle timeout
 * ({@link StreamServer.Options#idleTimeout()}), so that a peer that connects and goes quiet, or stops
 * reading, cannot hold a handler and a descriptor for ever. It looks a few times per timeout at the
 * socket's activity count (operations begun, waits that ended with the socket ready) instead of taking
 * the time on every read and write: the connection closes between one and 1 + 1/{@value #CHECKS_PER_TIMEOUT}
 * timeouts after its last activity. Closing wakes a parked reader or writer with "socket closed".
 *
 * <p>Thread rule: the loop's owner thread and its greenlets only.
 */
final class IdleWatch implements Runnable {

    /** Looks this many times per timeout: fine enough that a connection closes soon after its time, few enough to cost nothing. */
    static final int CHECKS_PER_TIMEOUT = 4;

    private final Loop loop;
    private final TcpSocket socket;
    private final Duration period;
    private long lastActivity;
    private int quietChecks;
    private Cancellable timer;
    private boolean closedIt;

    private IdleWatch(Loop loop, TcpSocket socket, Duration timeout) {
        this.loop = loop;
        this.socket = socket;
        Duration quarter = timeout.dividedBy(CHECKS_PER_TIMEOUT);
        this.period = quarter.isPositive() ? quarter : Duration.ofNanos(1);
        this.lastActivity = socket.activity();
    }

    /** Starts watching {@code socket} on {@code loop}. */
    static IdleWatch start(Loop loop, TcpSocket socket, Duration timeout) {
        IdleWatch watch = new IdleWatch(loop, socket, timeout);
        watch.timer = loop.schedule(watch.period, watch);
        return watch;
    }

    @Override
    public void run() {
        timer = null;
        long activity = socket.activity();
        if (activity != lastActivity) {
            lastActivity = activity;
            quietChecks = 0;
        } else if (++quietChecks >= CHECKS_PER_TIMEOUT) {
            closedIt = true;
            socket.close();
            return;
        }
        timer = loop.schedule(period, this);
    }

    /** Whether the connection was closed here, for being idle (so the handler's failure that followed is no error). */
    boolean closedTheConnection() {
        return closedIt;
    }

    /** Stops watching; idempotent. */
    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
