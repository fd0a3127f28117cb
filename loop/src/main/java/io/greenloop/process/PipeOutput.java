package io.greenloop.process;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Loop;
import io.greenloop.Waiter;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A child's stdin as a cooperative stream: {@link #write} copies the bytes into a queue that a pump
 * thread ({@link Pipes}) writes to the pipe, and parks the caller while more than
 * {@link #MAX_QUEUED_BYTES} wait to be written, so a child that reads slowly slows its writer down.
 * A write error (the child closed its stdin or exited: a broken pipe) is thrown by the next
 * {@link #write}, {@link #flush} or {@link #close}. The pump runs only while there is something to write.
 *
 * <p>Thread rule: everything on the loop's thread or its greenlets; the pump touches only the queue and
 * {@code LowLevel.handOff}.
 */
final class PipeOutput extends OutputStream {

    /** Bytes a writer may queue before it waits, matched to what the reading side buffers per pipe. */
    static final int MAX_QUEUED_BYTES = 128 * 1024;
    /** The most one pipe write carries; a Linux pipe holds 64 KiB. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** The queue entry that asks the pump to close the pipe; compared by identity. */
    private static final byte[] CLOSE = new byte[0];

    private final Loop loop;
    private final OutputStream target;
    private final String name;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pumping = new AtomicBoolean();

    private long queuedBytes;
    private boolean closing;
    private boolean closedDone;
    private IOException failure;
    private Waiter<Void> writer;

    PipeOutput(Loop loop, OutputStream target, String name) {
        this.loop = loop;
        this.target = target;
        this.name = name;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** Queues the bytes for the child, parking while the queue is full. */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        LowLevel.requireLoopThread(loop, "writing " + name);
        if (closing) {
            throw new IOException(name + " is closed");
        }
        while (len > 0) {
            awaitUntil(() -> queuedBytes < MAX_QUEUED_BYTES, "writing " + name);
            throwIfFailed();
            int n = Math.min(len, CHUNK_BYTES);
            enqueue(Arrays.copyOfRange(b, off, off + n));
            off += n;
            len -= n;
        }
    }

    /** Parks until everything written so far has reached the pipe. */
    @Override
    public void flush() throws IOException {
        LowLevel.requireLoopThread(loop, "flushing " + name);
        awaitUntil(() -> queuedBytes == 0, "flushing " + name);
        throwIfFailed();
    }

    /** Writes what is queued, closes the pipe (the child sees the end of its input), and parks until that is done. */
    @Override
    public void close() throws IOException {
        LowLevel.requireLoopThread(loop, "closing " + name);
        closeWithoutWaiting();
        awaitUntil(() -> closedDone, "closing " + name);
        throwIfFailed();
    }

    /** Queues all of {@code input} at once (it is in memory already), without waiting. Loop thread. */
    void writeWithoutWaiting(byte[] input) {
        for (int off = 0; off < input.length; off += CHUNK_BYTES) {
            enqueue(Arrays.copyOfRange(input, off, Math.min(input.length, off + CHUNK_BYTES)));
        }
    }

    /** Queues the close after what is queued, without waiting; later calls do nothing. Loop thread. */
    void closeWithoutWaiting() {
        if (!closing) {
            closing = true;
            enqueue(CLOSE);
        }
    }

    private void enqueue(byte[] chunk) {
        queuedBytes += chunk.length;
        queue.add(chunk);
        if (pumping.compareAndSet(false, true)) {
            Pipes.start(this::pump);
        }
    }

    private void awaitUntil(BooleanSupplier condition, String what) {
        while (!condition.getAsBoolean() && failure == null) {
            if (writer != null) {
                throw new IllegalStateException("another greenlet is already writing " + name + "; write it from one greenlet at a time");
            }
            writer = new Waiter<Void>(what).keepingLoopAlive();
            try {
                writer.get();
            } finally {
                writer = null;
            }
        }
    }

    private void throwIfFailed() throws IOException {
        if (failure != null) {
            throw new IOException("writing " + name + " failed: " + failure.getMessage(), failure);
        }
    }

    /** Pump thread: writes queued chunks until the queue is empty, then ends; {@link #enqueue} starts another. */
    private void pump() {
        while (true) {
            byte[] chunk = queue.poll();
            if (chunk == null) {
                pumping.set(false);
                // A chunk queued between the poll and the reset found `pumping` still set: take it on.
                if (queue.isEmpty() || !pumping.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            IOException error = writeToPipe(chunk);
            try {
                LowLevel.handOff(loop, () -> written(chunk, error));
            } catch (RejectedExecutionException e) {
                writeToPipe(CLOSE); // the loop closed: nobody will write more, so the child should see the end
                return;
            }
        }
    }

    private IOException writeToPipe(byte[] chunk) {
        try {
            if (chunk == CLOSE) {
                target.close();
            } else {
                target.write(chunk);
                target.flush();
            }
            return null;
        } catch (IOException e) {
            return e;
        } catch (RuntimeException e) {
            // The pump must go on to tell the loop, or writers would wait for this chunk for ever.
            return new IOException("writing " + name + " failed: " + e, e);
        }
    }

    /** Loop thread: the pump is done with {@code chunk}. */
    private void written(byte[] chunk, IOException error) {
        if (chunk == CLOSE) {
            closedDone = true;
        } else {
            queuedBytes -= chunk.length;
        }
        if (error != null && failure == null) {
            failure = error;
        }
        if (writer != null) {
            writer.wake(null);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
