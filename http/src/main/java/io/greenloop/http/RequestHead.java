package io.greenloop.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A parsed request head: offsets into its {@link Inbound}'s buffer, nothing copied, plus what the server
 * itself needs to know about the request (its framing, its connection options, its expectation). Strings
 * are made only when a handler asks. Reused for every request of the loan of its {@link Inbound}.
 */
final class RequestHead {

    /** Four ints per field line: name start, name end, value start, value end (value trimmed of OWS). */
    private static final int SLOTS = 4;

    String method;
    int targetStart;
    int targetEnd;
    int pathStart;
    int pathEnd;
    /** The index after '?', or -1 when the target has no query. */
    int queryStart;
    /** 10 or 11. */
    int version;
    int[] fields = new int[SLOTS * 16];
    int fieldCount;
    /** The head's first byte (empty lines before its request line included) and its end (after its empty line). */
    int start;
    int end;

    /** The body's length from Content-Length, or -1 when the request has none. */
    long contentLength;
    boolean chunked;
    boolean closeRequested;
    boolean keepAliveRequested;
    boolean upgradeRequested;
    boolean expectContinue;

    // Scratch for the parser: what the fields said so far, checked once the head is read.
    int hostFields;
    boolean expectOther;
    int transferCodings;
    boolean lastCodingChunked;
    boolean chunkedNotLast;
    boolean otherCoding;
    boolean codingParameters;
    boolean transferEncodingSeen;

    void clear() {
        method = null;
        queryStart = -1;
        fieldCount = 0;
        contentLength = -1;
        chunked = false;
        closeRequested = false;
        keepAliveRequested = false;
        upgradeRequested = false;
        expectContinue = false;
        hostFields = 0;
        expectOther = false;
        transferCodings = 0;
        lastCodingChunked = false;
        chunkedNotLast = false;
        otherCoding = false;
        codingParameters = false;
        transferEncodingSeen = false;
    }

    void addField(int nameStart, int nameEnd, int valueStart, int valueEnd) {
        int at = fieldCount * SLOTS;
        if (at == fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[at] = nameStart;
        fields[at + 1] = nameEnd;
        fields[at + 2] = valueStart;
        fields[at + 3] = valueEnd;
        fieldCount++;
    }

    int nameStart(int field) {
        return fields[field * SLOTS];
    }

    int nameEnd(int field) {
        return fields[field * SLOTS + 1];
    }

    int valueStart(int field) {
        return fields[field * SLOTS + 2];
    }

    int valueEnd(int field) {
        return fields[field * SLOTS + 3];
    }

    /** Whether the connection may carry another request after this one's response. */
    boolean keepAlive() {
        return version == 11 ? !closeRequested : keepAliveRequested && !closeRequested;
    }

    boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /** The index of the first field named {@code name} (any case), or -1. */
    int find(byte[] buf, String name, int from) {
        for (int i = from; i < fieldCount; i++) {
            if (Ascii.nameEquals(buf, nameStart(i), nameEnd(i), name)) {
                return i;
            }
        }
        return -1;
    }

    static String latin1(byte[] buf, int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
