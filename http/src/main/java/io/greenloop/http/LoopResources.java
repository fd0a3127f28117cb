package io.greenloop.http;

import io.greenloop.Loop;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What the HTTP connections of one loop share: the buffers they borrow while a request is in progress (so an
 * idle keep-alive connection owns none, and a busy loop reuses the same few, warm in the cache), the buffer an
 * idle connection's read lands in, and the cached {@code Date} line. Thread rule: the loop's thread only;
 * {@link #of} from any thread.
 */
final class LoopResources {

    /** Free buffers kept for reuse; more are left to the garbage collector (a burst of slow requests made them). */
    static final int MAX_FREE = 64;

    private static final Map<Loop, LoopResources> BY_LOOP = new WeakHashMap<>();

    final HttpDate date = new HttpDate();
    /**
     * Where every idle connection of the loop reads its next request's first bytes: all of them park in a read
     * on it, and the one that wakes copies what it read into a borrowed {@link Inbound} before it can park
     * again, so the loop's single thread never lets two use it at once.
     */
    final ByteBuffer idleReads = ByteBuffer.allocate(Inbound.SIZE);
    private final ArrayDeque<Inbound> freeInbound = new ArrayDeque<>();
    private final ArrayDeque<Outbound> freeOutbound = new ArrayDeque<>();
    /** Buffers made so far, read and written on the loop's thread only (tests see that idle connections hold none). */
    int inboundMade;
    int outboundMade;

    private LoopResources() {
    }

    /** The resources of {@code loop}, made on first use and dropped with the loop. */
    static LoopResources of(Loop loop) {
        synchronized (BY_LOOP) {
            return BY_LOOP.computeIfAbsent(loop, ignored -> new LoopResources());
        }
    }

    Inbound borrowInbound() {
        Inbound in = freeInbound.pollFirst();
        if (in == null) {
            in = new Inbound();
            inboundMade++;
        }
        return in.reset();
    }

    void release(Inbound in) {
        if (in.pooled() && freeInbound.size() < MAX_FREE) {
            freeInbound.addFirst(in);
        }
    }

    Outbound borrowOutbound() {
        Outbound out = freeOutbound.pollFirst();
        if (out == null) {
            out = new Outbound();
            outboundMade++;
        }
        out.pos = 0;
        return out;
    }

    void release(Outbound out) {
        if (out.pooled() && freeOutbound.size() < MAX_FREE) {
            freeOutbound.addFirst(out);
        }
    }
}
