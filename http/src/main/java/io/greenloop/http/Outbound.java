package io.greenloop.http;

import java.nio.ByteBuffer;

/**
 * A connection's write buffer, lent from its loop's pool like {@link Inbound}: response heads, small bodies
 * and chunk framing collect here, so that the responses to pipelined requests that are ready together leave
 * in one write. Thread rule: the connection's greenlet only.
 */
final class Outbound {

    static final int SIZE = 16 * 1024;

    byte[] buf;
    int pos;
    ByteBuffer view;
    /** The pending bytes and one more buffer, for a gathering write without an array per write. */
    final ByteBuffer[] pair = new ByteBuffer[2];

    Outbound() {
        this(SIZE);
    }

    private Outbound(int size) {
        buf = new byte[size];
        view = ByteBuffer.wrap(buf);
    }

    int room() {
        return buf.length - pos;
    }

    boolean pooled() {
        return buf.length == SIZE;
    }

    /** Grows to hold {@code wanted} more bytes (a head bigger than the pooled buffer); the grown array is not pooled. */
    void grow(int wanted) {
        byte[] grown = new byte[Math.max(buf.length * 2, pos + wanted)];
        System.arraycopy(buf, 0, grown, 0, pos);
        buf = grown;
        view = ByteBuffer.wrap(grown);
    }

    /** The pending bytes as a buffer to write. */
    ByteBuffer pending() {
        return view.limit(pos).position(0);
    }

    void put(byte[] src) {
        System.arraycopy(src, 0, buf, pos, src.length);
        pos += src.length;
    }

    void put(byte[] src, int off, int len) {
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
    }

    /** A string of Latin-1 characters (callers checked that), one byte each. */
    void putLatin1(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            buf[pos + i] = (byte) s.charAt(i);
        }
        pos += n;
    }

    void putDecimal(long value) {
        if (value == 0) {
            buf[pos++] = '0';
            return;
        }
        int digits = 0;
        for (long v = value; v > 0; v /= 10) {
            digits++;
        }
        for (int i = pos + digits - 1; i >= pos; i--) {
            buf[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        pos += digits;
    }

    /** {@code value} in hex, as many digits as it needs. */
    void putHex(long value) {
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(value)) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            buf[pos++] = HEX[(int) (value >>> (i * 4)) & 0xF];
        }
    }

    /** {@code value} (below 0x10000) as exactly four hex digits at {@code at}: the size of a chunk filled in place. */
    void putHex4At(int at, int value) {
        for (int i = 0; i < 4; i++) {
            buf[at + i] = HEX[(value >>> ((3 - i) * 4)) & 0xF];
        }
    }

    void putColonSpace() {
        buf[pos++] = ':';
        buf[pos++] = ' ';
    }

    void putCrlf() {
        buf[pos++] = Ascii.CR;
        buf[pos++] = Ascii.LF;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
}
