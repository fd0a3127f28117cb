package io.greenloop.http;

/**
 * Decodes a chunked request body (RFC 9112 section 7.1) from an {@link Inbound}, as far as its bytes go:
 * {@link #advance} walks over chunk-size lines, the CRLF after each chunk's data and the trailer section, and
 * stops at chunk data, at the end of the body, or where it needs more bytes. Strict: a chunk size is 1 to 16
 * hex digits; an extension must start with ';' and hold only field-value characters; the data is followed by
 * exactly one line end; trailer lines are checked as header lines and then dropped. Extensions and trailers
 * count against the head limit, the data against the body limit.
 *
 * <p>Thread rule: the connection's greenlet only.
 */
final class ChunkedDecoder {

    /** What {@link #advance} found. */
    static final int NEED_MORE = 0;
    static final int DATA = 1;
    static final int END = 2;

    private static final int MAX_HEX_DIGITS = 16;

    private enum State { SIZE, DATA, DATA_END, TRAILER, DONE }

    private final long maxBody;
    private final int maxHead;
    /** Head bytes left for chunk extensions and trailers. */
    private int budget;
    private State state = State.SIZE;
    private long remaining;
    private long total;

    ChunkedDecoder(long maxBody, int maxHead, int headLength) {
        this.maxBody = maxBody;
        this.maxHead = maxHead;
        this.budget = maxHead - headLength;
    }

    /** Chunk data bytes left in the current chunk. */
    long remaining() {
        return remaining;
    }

    /**
     * Moves over framing in {@code in.buf[in.start, in.end)}; returns {@link #DATA} when chunk data is next
     * ({@link #remaining()} bytes of it, maybe not read yet), {@link #END} after the trailer section, or
     * {@link #NEED_MORE}.
     */
    int advance(Inbound in) throws HttpRejection {
        while (true) {
            switch (state) {
                case SIZE -> {
                    if (!sizeLine(in)) {
                        return NEED_MORE;
                    }
                }
                case DATA -> {
                    if (remaining > 0) {
                        return DATA;
                    }
                    state = State.DATA_END;
                }
                case DATA_END -> {
                    if (!dataEnd(in)) {
                        return NEED_MORE;
                    }
                }
                case TRAILER -> {
                    if (!trailerLine(in)) {
                        return NEED_MORE;
                    }
                }
                case DONE -> {
                    return END;
                }
            }
        }
    }

    /** Copies up to {@code len} bytes of chunk data from {@code in} into {@code dst} ({@code null}: skips them); returns the count. */
    int take(Inbound in, byte[] dst, int off, int len) {
        int n = (int) Math.min(Math.min(len, remaining), in.end - in.start);
        if (dst != null) {
            System.arraycopy(in.buf, in.start, dst, off, n);
        }
        in.start += n;
        remaining -= n;
        return n;
    }

    /** {@code n} bytes of chunk data were read from the socket straight into the reader's array. */
    void tookDirectly(int n) {
        remaining -= n;
    }

    private boolean sizeLine(Inbound in) throws HttpRejection {
        byte[] b = in.buf;
        int from = in.start;
        int lf = indexOfLf(b, from, in.end);
        if (lf < 0) {
            if (in.end - from > MAX_HEX_DIGITS + 2 + Math.max(budget, 0)) {
                throw new HttpRejection(431, "a chunk line longer than the head limit (" + maxHead + " bytes) allows");
            }
            return false;
        }
        int to = HeadParser.contentEnd(b, from, lf);
        int i = from;
        long size = 0;
        for (int digit; i < to && (digit = Ascii.hexValue(b[i])) >= 0; i++) {
            if (i - from == MAX_HEX_DIGITS) {
                throw HttpRejection.badRequest("a chunk size of more than " + MAX_HEX_DIGITS + " hex digits");
            }
            size = size << 4 | digit;
        }
        if (i == from) {
            throw HttpRejection.badRequest("a chunk size that is not a hexadecimal number");
        }
        if (i < to) {
            extension(b, i, to);
        }
        in.start = lf + 1;
        if (size < 0 || size > maxBody - total) {
            throw new HttpRejection(413, "the request body is longer than " + maxBody + " bytes");
        }
        total += size;
        remaining = size;
        state = size == 0 ? State.TRAILER : State.DATA;
        return true;
    }

    /** chunk-ext: optional whitespace, then ';' and field-value characters; counted against the head limit. */
    private void extension(byte[] b, int from, int to) throws HttpRejection {
        int i = from;
        while (i < to && Ascii.isWhitespace(b[i])) {
            i++;
        }
        if (i == to || b[i] != ';') {
            throw HttpRejection.badRequest(b[i < to ? i : from] == Ascii.CR ? "a bare CR in a chunk line"
                    : "a chunk size followed by something other than an extension");
        }
        HeadParser.checkFieldValue(b, i, to, "chunk extension");
        spend(to - from);
    }

    private boolean dataEnd(Inbound in) throws HttpRejection {
        if (in.end == in.start) {
            return false;
        }
        byte first = in.buf[in.start];
        if (first == Ascii.LF) {
            in.start++;
        } else if (first == Ascii.CR) {
            if (in.end - in.start < 2) {
                return false;
            }
            if (in.buf[in.start + 1] != Ascii.LF) {
                throw HttpRejection.badRequest("a bare CR after chunk data");
            }
            in.start += 2;
        } else {
            throw HttpRejection.badRequest("chunk data longer than its chunk size");
        }
        state = State.SIZE;
        return true;
    }

    private boolean trailerLine(Inbound in) throws HttpRejection {
        byte[] b = in.buf;
        int from = in.start;
        int lf = indexOfLf(b, from, in.end);
        if (lf < 0) {
            if (in.end - from > budget) {
                throw new HttpRejection(431, "trailers longer than the head limit (" + maxHead + " bytes) allows");
            }
            return false;
        }
        int to = HeadParser.contentEnd(b, from, lf);
        spend(lf + 1 - from);
        if (to > from) {
            int colon = HeadParser.fieldNameEnd(b, from, to, "trailer");
            HeadParser.checkFieldValue(b, colon + 1, to, "trailer");
        } else {
            state = State.DONE;
        }
        in.start = lf + 1;
        return true;
    }

    private void spend(int bytes) throws HttpRejection {
        budget -= bytes;
        if (budget < 0) {
            throw new HttpRejection(431, "chunk extensions and trailers beyond the head limit (" + maxHead + " bytes)");
        }
    }

    private static int indexOfLf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == Ascii.LF) {
                return i;
            }
        }
        return -1;
    }
}
