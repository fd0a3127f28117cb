package io.greenloop.net;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Loop;
import io.greenloop.Waiter;
import io.greenloop.internal.Deadline;
import io.greenloop.spi.IoHandle;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * What every greenloop socket shares: its loop, its non-blocking handle, the one reader and the one
 * writer parked on it, the per-operation timeout, and closing. An operation tries the handle first and
 * parks (in {@link #await}) only when the OS says it would block; the handle's listener, called by the
 * transport on the loop thread, wakes the parked reader or writer.
 *
 * <p>Interest is kept lazily: a woken waiter leaves its op in the handle's interest, because the next
 * operation on a busy socket usually sets it again before the next poll (so the transport sees no
 * change). A readiness report that finds nobody waiting clears that op, so a level-triggered transport
 * reports an idle ready socket at most once and the loop never spins on it.
 *
 * <p>Thread rule: the loop's owner thread and its greenlets only; {@link #checkedHandle} checks it.
 */
final class SocketCore<H extends IoHandle> implements IoHandle.ReadyListener {

    final Loop loop;
    final H handle;
    private final String kind;
    private Waiter<Void> reader;
    private Waiter<Void> writer;
    private Duration timeout;
    private boolean closed;
    /** Operations begun and waits that ended ready: what an idle timeout watches ({@link IdleWatch}). */
    private long activity;

    /** Wraps a handle just opened on {@code loop}'s transport; {@code kind} names the socket type in messages. */
    SocketCore(Loop loop, H handle, String kind) {
        this.loop = loop;
        this.handle = handle;
        this.kind = kind;
        handle.listener(this);  // itself, not a method reference: one object less for each socket, which an idle connection keeps
    }

    /** Called by the transport during dispatch with the ready ops: wakes the parked reader and writer. */
    @Override
    public void ready(int readyOps) {
        int idle = 0;
        if ((readyOps & IoHandle.READ) != 0) {
            if (reader != null) {
                reader.wake(null);
            } else {
                idle |= IoHandle.READ;
            }
        }
        if ((readyOps & IoHandle.WRITE) != 0) {
            if (writer != null) {
                writer.wake(null);
            } else {
                idle |= IoHandle.WRITE;
            }
        }
        if (idle != 0) {
            handle.interest(handle.interest() & ~idle);
        }
    }

    /*
     * Operations are named in full by their callers ("TcpSocket.read"): constants, so that the hot path
     * builds no strings.
     */

    /** The handle for {@code operation}, once the calling thread and the socket's being open are checked. */
    H checkedHandle(String operation) throws SocketException {
        LowLevel.requireLoopThread(loop, operation);
        return openHandle();
    }

    /**
     * The handle for {@code operation}, a read ({@code op} {@link IoHandle#READ}) or a write ({@link IoHandle#WRITE}),
     * once checked: it spends the calling greenlet's socket budget ({@code LowLevel.spendSocketBudget}), so that a
     * greenlet whose operations keep succeeding yields now and then, then checks that the socket is still open and
     * that no other greenlet reads (writes) it: a second concurrent reader (writer) is a programming error.
     */
    H checkedHandle(int op, String operation) throws SocketException {
        LowLevel.spendSocketBudget(loop, operation);
        return checkedSide(op, operation);
    }

    /**
     * The handle for a wait for {@code op} that does no I/O itself ({@link TcpSocket#waitReadable()}): checked as
     * {@link #checkedHandle(int, String)}, the calling thread and a concurrent reader (writer) included, but
     * spending no socket budget, which counts system calls.
     */
    H checkedHandleToWait(int op, String operation) throws SocketException {
        LowLevel.requireLoopThread(loop, operation);
        return checkedSide(op, operation);
    }

    private H checkedSide(int op, String operation) throws SocketException {
        H open = openHandle();
        if ((op == IoHandle.READ ? reader : writer) != null) {
            String side = op == IoHandle.READ ? "reading" : "writing to";
            String who = op == IoHandle.READ ? "reader" : "writer";
            throw new IllegalStateException("another greenlet is already " + side + " this socket (" + operation
                    + "); give each socket one " + who + " at a time, or guard it with a lock or a queue");
        }
        return open;
    }

    private H openHandle() throws SocketException {
        if (closed || handle.isClosed()) {
            throw new SocketException("socket closed");
        }
        activity++;
        return handle;
    }

    /** A count that grows with every operation and every wait that ended with the socket ready. */
    long activity() {
        return activity;
    }

    /**
     * Sets the limit for each later operation ({@code null}: none; zero: operations try once and never wait); a
     * negative one is refused.
     */
    void timeout(Duration timeout) {
        LowLevel.requireLoopThread(loop, kind + ".setTimeout");
        this.timeout = Deadline.checkSetting(timeout, "a socket timeout");
    }

    /** The deadline of an operation starting now under the current timeout. */
    Deadline deadline() {
        return Deadline.after(timeout);
    }

    /** The current timeout ({@code null}: none), for a layer above that times its operations as this socket does. */
    Duration timeout() {
        return timeout;
    }

    /**
     * Parks the caller until the handle is ready for {@code op} ({@link IoHandle#READ} or
     * {@link IoHandle#WRITE}), the deadline passes ({@link SocketTimeoutException}), or the socket is
     * closed ({@link SocketException}). A kill or {@code Timeout} is raised from here as well.
     */
    void await(int op, Deadline deadline, String operation) throws IOException {
        Duration limit = deadline.remaining();
        if (limit != null && limit.isZero()) {
            throw timedOut(operation);
        }
        Waiter<Void> waiter = new Waiter<Void>(operation).keepingLoopAlive();
        park(op, waiter);
        boolean woken;
        try {
            handle.interest(handle.interest() | op);
            woken = waiter.await(limit);
        } finally {
            unpark(op);
        }
        if (!woken) {
            throw timedOut(operation);
        }
        activity++;
        waiter.get();  // raises the SocketException of a close that woke it
        if (closed) {
            throw new SocketException("socket closed");
        }
    }

    private void park(int op, Waiter<Void> waiter) {
        if (op == IoHandle.READ) {
            reader = waiter;
        } else {
            writer = waiter;
        }
    }

    private void unpark(int op) {
        if (op == IoHandle.READ) {
            reader = null;
        } else {
            writer = null;
        }
    }

    private SocketTimeoutException timedOut(String operation) {
        String after = timeout == null ? "" : " " + Deadline.waited(timeout);
        return new SocketTimeoutException(operation + " timed out" + after
                + "; the socket is still open (setTimeout(null) waits without limit)");
    }

    /**
     * Checks a socket option's value the same way for every transport, before any transport sees it: the
     * JDK's NIO refuses what the native ones would pass to the kernel unchecked (a negative buffer size)
     * or fail on with a bare {@code NullPointerException} (a {@code null} linger).
     */
    static <T> void checkOption(SocketOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        if (value == null) {
            throw new IllegalArgumentException(option.name() + " needs a value of type " + option.type().getSimpleName()
                    + ", not null" + (option == StandardSocketOptions.SO_LINGER ? " (a negative linger turns lingering off)" : ""));
        }
        if (!option.type().isInstance(value)) {
            throw new IllegalArgumentException(option.name() + " takes a " + option.type().getSimpleName() + ", not " + value);
        }
        if ((option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF) && (Integer) value < 0) {
            throw new IllegalArgumentException(option.name() + " " + value + " is negative; give a size in bytes, 0 or more");
        }
    }

    /** Whether {@link #close()} was called (or the loop closed the handle). */
    boolean isClosed() {
        return closed || handle.isClosed();
    }

    /** Wakes the parked reader and writer with "socket closed", then closes the handle. Idempotent. */
    void close() {
        LowLevel.requireLoopThread(loop, kind + ".close");
        if (closed) {
            return;
        }
        closed = true;
        if (reader != null) {
            reader.wakeWithError(new SocketException("socket closed"));
        }
        if (writer != null) {
            writer.wakeWithError(new SocketException("socket closed"));
        }
        try {
            handle.close();
        } catch (IOException e) {
            // close(2) releases the descriptor even when it reports an error; there is nothing left to undo.
        }
    }

    @Override
    public String toString() {
        return kind + (closed ? "[closed]" : "[" + Objects.toString(handle) + "]");
    }
}
