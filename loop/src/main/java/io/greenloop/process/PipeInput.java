package io.greenloop.process;

import io.greenloop.lowlevel.LowLevel;
import io.greenloop.Loop;
import io.greenloop.Waiter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * A child's stdout or stderr as a cooperative stream: a pump thread ({@link Pipes}) blocks on the pipe
 * and hands each chunk to the loop; {@link #read} parks the calling greenlet until a chunk is there.
 * At most {@link #CHUNKS_AHEAD} chunks wait unread on the loop side; past that the pump stops reading, the
 * OS pipe fills, and the child blocks in its write: memory stays bounded however much a child prints and
 * however many children run.
 *
 * <p>Thread rule: {@link #read}, {@link #available} and {@link #close} on the loop's thread or its
 * greenlets, one reader at a time; the pump touches only {@link #room}, {@link #abandoned} and
 * {@code LowLevel.handOff}.
 */
final class PipeInput extends InputStream {

    /** The most one pipe read asks for: a Linux pipe holds 64 KiB, so a read rarely returns more. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** Unread chunks a stream may hold on the loop side: 128 KiB per pipe, so 50 busy children stay near 13 MiB. */
    static final int CHUNKS_AHEAD = 2;

    private final Loop loop;
    private final InputStream source;
    private final String name;
    /** One permit per chunk the loop side may still take; the pump takes one before each read. */
    private final Semaphore room = new Semaphore(CHUNKS_AHEAD);
    private volatile boolean abandoned;

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int offset;
    private int buffered;
    private boolean ended;
    private IOException failure;
    private boolean closed;
    private Waiter<Void> reader;
    private ByteArrayOutputStream sink;
    private Runnable onFinish;

    PipeInput(Loop loop, InputStream source, String name) {
        this.loop = loop;
        this.source = source;
        this.name = name;
    }

    /** Starts the pump. */
    void start() {
        Pipes.start(this::pump);
    }

    /** Pump thread: read while the loop side has room, hand each chunk over, stop at the end. */
    private void pump() {
        byte[] buffer = new byte[CHUNK_BYTES];
        try {
            while (true) {
                room.acquireUninterruptibly();
                if (abandoned) {
                    return;
                }
                int n = source.read(buffer);
                if (n < 0) {
                    LowLevel.handOff(loop, () -> deliver(null, null));
                    return;
                }
                byte[] chunk = Arrays.copyOf(buffer, n);
                LowLevel.handOff(loop, () -> deliver(chunk, null));
            }
        } catch (IOException e) {
            if (!abandoned) {
                handOverFailure(e);
            }
        } catch (RejectedExecutionException e) {
            // The loop closed under us: nobody will read, so let the child see a closed pipe rather than a full one.
            closeSource();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // Anything else ending the pump must reach the reader too, or it would wait for data for ever.
            if (!abandoned) {
                handOverFailure(new IOException("the pump reading " + name + " failed: " + e, e));
            }
        }
    }

    private void handOverFailure(IOException error) {
        try {
            LowLevel.handOff(loop, () -> deliver(null, error));
        } catch (RejectedExecutionException e) {
            closeSource();
        }
    }

    /** Loop thread: a chunk, the end ({@code null, null}) or a failure arrived from the pump. */
    private void deliver(byte[] chunk, IOException error) {
        if (closed) {
            return;
        }
        if (chunk == null) {
            ended = error == null;
            failure = error;
            announceEnd();
            return;
        }
        if (sink != null) {
            sink.write(chunk, 0, chunk.length);
            room.release();
            return;
        }
        chunks.add(chunk);
        buffered += chunk.length;
        wakeReader();
    }

    private void announceEnd() {
        wakeReader();
        if (onFinish != null) {
            onFinish.run();
        }
    }

    private void wakeReader() {
        if (reader != null) {
            reader.wake(null);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** Reads what is there, parking until at least one byte is, or returns -1 at the end of the stream. */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        LowLevel.requireLoopThread(loop, "reading " + name);
        if (len == 0) {
            return 0;
        }
        awaitData();
        if (chunks.isEmpty()) {
            if (failure != null) {
                throw new IOException("reading " + name + " failed: " + failure.getMessage(), failure);
            }
            return -1;
        }
        byte[] head = chunks.peek();
        int n = Math.min(len, head.length - offset);
        System.arraycopy(head, offset, b, off, n);
        offset += n;
        buffered -= n;
        if (offset == head.length) {
            chunks.poll();
            offset = 0;
            room.release();
        }
        return n;
    }

    private void awaitData() throws IOException {
        while (chunks.isEmpty() && !ended && failure == null) {
            if (closed) {
                throw new IOException(name + " is closed");
            }
            if (reader != null || sink != null) {
                throw new IllegalStateException("another greenlet is already reading " + name + "; read it from one greenlet at a time");
            }
            reader = new Waiter<Void>("reading " + name).keepingLoopAlive();
            try {
                reader.get();
            } finally {
                reader = null;
            }
        }
        if (closed) {
            throw new IOException(name + " is closed");
        }
    }

    /** The bytes that can be read without waiting. */
    @Override
    public int available() {
        LowLevel.requireLoopThread(loop, "available() of " + name);
        return buffered;
    }

    /** Drops what is buffered and closes the pipe: the child gets a broken pipe if it writes on. Never waits. */
    @Override
    public void close() {
        LowLevel.requireLoopThread(loop, "closing " + name);
        if (closed) {
            return;
        }
        closed = true;
        abandoned = true;
        chunks.clear();
        buffered = 0;
        room.release(CHUNKS_AHEAD + 1); // wakes a pump waiting for room, so that it sees `abandoned`
        Pipes.start(this::closeSource);  // the JDK's close may wait on a lock the pump holds while it reads
        wakeReader();
    }

    private void closeSource() {
        try {
            source.close();
        } catch (IOException ignored) {
            // closing a pipe we no longer read: nothing useful to report
        }
    }

    /** Whether nothing more will arrive: the end, a failure, or {@link #close()}. Loop thread. */
    boolean finished() {
        return ended || failure != null || closed;
    }

    /** The failure that ended the stream, if any. Loop thread. */
    IOException failure() {
        return failure;
    }

    /**
     * From now on moves everything that arrives, and what is buffered, into {@code into} at once, and runs
     * {@code whenFinished} when nothing more will arrive (for {@code communicate}). Loop thread.
     */
    void collectInto(ByteArrayOutputStream into, Runnable whenFinished) {
        if (reader != null) {
            throw new IllegalStateException("a greenlet is reading " + name + "; communicate() cannot read it as well");
        }
        for (byte[] chunk; (chunk = chunks.poll()) != null; offset = 0) {
            into.write(chunk, offset, chunk.length - offset);
            room.release();
        }
        buffered = 0;
        sink = into;
        onFinish = whenFinished;
    }

    /** Back to buffering (and backpressure) after {@link #collectInto}. Loop thread. */
    void stopCollecting() {
        sink = null;
        onFinish = null;
    }

    /** Bytes delivered and not yet read (tests check the bound). Loop thread. */
    int buffered() {
        return buffered;
    }

    @Override
    public String toString() {
        return name;
    }
}
