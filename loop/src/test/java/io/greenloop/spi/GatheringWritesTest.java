package io.greenloop.spi;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link GatheringWrites} on its own: what it copies, and what it leaves alone in a buffer every connection shares. */
class GatheringWritesTest {

    private static ByteBuffer heap(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuffer direct(String text) {
        ByteBuffer heap = heap(text);
        return ByteBuffer.allocateDirect(heap.remaining()).put(heap).flip();
    }

    @Test
    void copyIntoCopiesInOrderAndMovesNoPositionOrLimit() {
        ByteBuffer scratch = ByteBuffer.allocateDirect(64);
        ByteBuffer[] srcs = {heap("ab"), direct("cd"), heap("ef")};
        srcs[0].position(1);

        assertEquals(5, GatheringWrites.copyInto(scratch, srcs, 0, srcs.length));

        byte[] copied = new byte[5];
        scratch.get(0, copied);
        assertEquals("bcdef", new String(copied, StandardCharsets.US_ASCII));
        assertEquals(0, scratch.position(), "the shared scratch buffer's position");
        assertEquals(scratch.capacity(), scratch.limit(), "the shared scratch buffer's limit: a later absolute put needs all of it");
        assertEquals(1, srcs[0].position(), "a source's position moves only when advance() says what was sent");
    }

    @Test
    void copyIntoStopsWhenTheScratchBufferIsFullAndAdvanceMovesPastWhatWasSent() {
        ByteBuffer scratch = ByteBuffer.allocateDirect(3);
        ByteBuffer[] srcs = {heap("ab"), heap("cd")};

        assertEquals(3, GatheringWrites.copyInto(scratch, srcs, 0, srcs.length));
        GatheringWrites.advance(srcs, 0, srcs.length, 3);

        assertEquals(0, srcs[0].remaining());
        assertEquals(1, srcs[1].remaining());
        assertEquals(3, scratch.limit());
    }
}
