package io.greenloop.http;

import java.nio.ByteBuffer;

/**
 * A connection's read buffer, lent from its loop's pool while a request is in progress and given back when
 * the connection goes idle with nothing buffered: an idle keep-alive connection owns no buffer. The bytes of
 * the request in progress are {@code buf[start, end)}; the parsed head ({@link #head}) points into them by
 * offsets, so a head is never copied, and nothing before {@link #base} moves while its exchange lasts.
 *
 * <p>Finding the end of a head resumes where the last read left off, so a head that arrives a byte at a time
 * is scanned once, not once per byte, and is parsed exactly as one that arrived in a single read.
 *
 * <p>Thread rule: the loop's thread (the connection's greenlet) only.
 */
final class Inbound {

    /** The pooled size: a whole TLS record, and any ordinary head with room to spare. */
    static final int SIZE = 16 * 1024;

    byte[] buf;
    /** A view of {@link #buf} for socket reads; made again when the buffer grows. */
    ByteBuffer view;
    /** The first byte not consumed yet. While a head is being scanned, its first byte. */
    int start;
    /** The end of the bytes read so far. */
    int end;
    /** Compaction moves bytes down to here, no further: 0 between exchanges, the head's end during one. */
    int base;
    /** The parsed head of the exchange in progress, pointing into {@link #buf}. */
    final RequestHead head = new RequestHead();

    /** Where the scan for the end of the head stopped, and where its current line began. */
    private int scanPos;
    private int lineStart;
    /** The request line's first byte (empty lines before it are skipped, RFC 9112 section 2.2). */
    private int requestLineStart;
    private boolean requestLineDone;

    Inbound() {
        this(SIZE);
    }

    Inbound(int size) {
        buf = new byte[size];
        view = ByteBuffer.wrap(buf);
    }

    /** Empty, ready for a new request at the start of the buffer. */
    Inbound reset() {
        start = 0;
        end = 0;
        base = 0;
        startHead();
        return this;
    }

    /** Begins scanning a new head at {@link #start}. */
    void startHead() {
        scanPos = start;
        lineStart = start;
        requestLineStart = start;
        requestLineDone = false;
    }

    int buffered() {
        return end - start;
    }

    int requestLineStart() {
        return requestLineStart;
    }

    /**
     * Scans for the empty line that ends the head starting at {@link #start}; returns the index after it, or
     * -1 when more bytes are needed. A request line longer than {@code maxLine} is a 414, a head longer than
     * {@code maxHead} (everything up to the empty line, CRLFs included) a 431.
     */
    int findHeadEnd(int maxLine, int maxHead) throws HttpRejection {
        byte[] b = buf;
        for (int i = scanPos; i < end; i++) {
            if (b[i] != Ascii.LF) {
                continue;
            }
            int contentEnd = i > lineStart && b[i - 1] == Ascii.CR ? i - 1 : i;
            if (i + 1 - start > maxHead) {
                throw new HttpRejection(431, "the request head is longer than " + maxHead + " bytes");
            }
            if (contentEnd == lineStart) {
                if (requestLineDone) {
                    scanPos = i + 1;
                    return i + 1;
                }
                requestLineStart = i + 1;  // an empty line before the request line
            } else if (!requestLineDone) {
                checkRequestLine(contentEnd - lineStart, maxLine);
                requestLineDone = true;
            }
            lineStart = i + 1;
        }
        scanPos = end;
        if (!requestLineDone) {
            checkRequestLine(end - lineStart, maxLine);
        }
        if (end - start > maxHead) {
            throw new HttpRejection(431, "the request head is longer than " + maxHead + " bytes");
        }
        return -1;
    }

    private static void checkRequestLine(int length, int maxLine) throws HttpRejection {
        if (length > maxLine) {
            throw new HttpRejection(414, "the request line is longer than " + maxLine + " bytes");
        }
    }

    /** Free room after {@link #end}. */
    int room() {
        return buf.length - end;
    }

    /**
     * Makes room after {@link #end}, {@code wanted} bytes if it can: first by moving the unconsumed bytes down
     * to {@link #base} (offsets before it stay valid), then by growing into a larger, unpooled array of at most
     * {@code limit} bytes. Returns whether there is any room at all.
     */
    boolean makeRoom(int wanted, int limit) {
        if (room() >= wanted) {
            return true;
        }
        if (start > base) {
            int shift = start - base;
            System.arraycopy(buf, start, buf, base, end - start);
            start -= shift;
            end -= shift;
            scanPos -= shift;
            lineStart -= shift;
            requestLineStart -= shift;
            if (room() >= wanted) {
                return true;
            }
        }
        if (buf.length < limit) {
            byte[] grown = new byte[Math.min(limit, Math.max(end + wanted, buf.length * 2))];
            System.arraycopy(buf, 0, grown, 0, end);
            buf = grown;
            view = ByteBuffer.wrap(grown);
        }
        return room() > 0;
    }

    /** Whether this buffer has the pooled size (a grown one goes to the garbage collector instead). */
    boolean pooled() {
        return buf.length == SIZE;
    }

    /** The view set up to read into {@code buf[end, capacity)}. */
    ByteBuffer readView() {
        return view.limit(buf.length).position(end);
    }
}
