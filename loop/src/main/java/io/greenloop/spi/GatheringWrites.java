package io.greenloop.spi;

import java.nio.ByteBuffer;

/**
 * What every transport's gathering write ({@link StreamHandle#write(ByteBuffer[], int, int)}) does around its
 * system call: direct buffers go to the kernel as they are, heap buffers are copied, in order, into the
 * transport's one reused direct buffer (by absolute index, never moving its position or limit), and the
 * positions move past what was sent. Stateless: thread-safe.
 */
public final class GatheringWrites {

    private GatheringWrites() {
    }

    /**
     * How many buffers from {@code from} on (before {@code to}) are direct, up to the first heap buffer.
     *
     * @param srcs the buffers to write, in order, each from its position to its limit
     * @param from the index of the first buffer to look at
     * @param to the index after the last one
     * @return how many buffers from {@code from} on
     */
    public static int directRun(ByteBuffer[] srcs, int from, int to) {
        int i = from;
        while (i < to && srcs[i].isDirect()) {
            i++;
        }
        return i - from;
    }

    /**
     * Copies the buffers from {@code from} on, in order, into {@code scratch} from index 0 until its capacity is
     * full, by absolute index: it reads and moves neither the scratch buffer's position and limit nor the
     * buffers' positions. Returns how many bytes it copied. The scratch buffer is shared by every connection
     * of a loop, so it must keep its limit at its capacity: no user of it may move its position or limit.
     *
     * @param scratch a direct buffer to copy into, from index 0; its position and limit are left as they are
     * @param srcs the buffers to write, in order, each from its position to its limit
     * @param from the index of the first buffer to copy
     * @param to the index after the last one
     * @return how many bytes were copied into {@code scratch}
     */
    public static int copyInto(ByteBuffer scratch, ByteBuffer[] srcs, int from, int to) {
        int filled = 0;
        for (int i = from; i < to && filled < scratch.capacity(); i++) {
            int length = Math.min(srcs[i].remaining(), scratch.capacity() - filled);
            scratch.put(filled, srcs[i], srcs[i].position(), length);
            filled += length;
        }
        return filled;
    }

    /**
     * Moves the buffers' positions past the {@code written} bytes sent from them.
     *
     * @param srcs the buffers to write, in order, each from its position to its limit
     * @param from the index of the first buffer written from
     * @param to the index after the last one
     * @param written how many bytes were sent
     */
    public static void advance(ByteBuffer[] srcs, int from, int to, long written) {
        long left = written;
        for (int i = from; i < to && left > 0; i++) {
            int step = (int) Math.min(left, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + step);
            left -= step;
        }
    }
}
