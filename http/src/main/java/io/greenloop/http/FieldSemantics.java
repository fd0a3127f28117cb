package io.greenloop.http;

/**
 * What the server reads from a request's header fields for itself, as they are parsed: Host (counted),
 * Content-Length, Transfer-Encoding, Connection, Expect and Upgrade. Comma-separated lists follow RFC 9110
 * section 5.6.1 (optional whitespace around commas, empty elements ignored). {@link HeadParser} judges the
 * whole once every field is read.
 */
final class FieldSemantics {

    /** 18 digits always fit a long; a longer Content-Length is beyond any body limit. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private FieldSemantics() {
    }

    static void apply(byte[] b, int nameStart, int nameEnd, int valueStart, int valueEnd, RequestHead head)
            throws HttpRejection {
        switch (nameEnd - nameStart) {
            case 4 -> {
                if (Ascii.equalsIgnoreCase(b, nameStart, nameEnd, "host")) {
                    head.hostFields++;
                }
            }
            case 6 -> {
                if (Ascii.equalsIgnoreCase(b, nameStart, nameEnd, "expect")) {
                    expect(b, valueStart, valueEnd, head);
                }
            }
            case 7 -> {
                if (Ascii.equalsIgnoreCase(b, nameStart, nameEnd, "upgrade")) {
                    head.upgradeRequested |= valueEnd > valueStart;
                }
            }
            case 10 -> {
                if (Ascii.equalsIgnoreCase(b, nameStart, nameEnd, "connection")) {
                    connection(b, valueStart, valueEnd, head);
                }
            }
            case 14 -> {
                if (Ascii.equalsIgnoreCase(b, nameStart, nameEnd, "content-length")) {
                    contentLength(b, valueStart, valueEnd, head);
                }
            }
            case 17 -> {
                if (Ascii.equalsIgnoreCase(b, nameStart, nameEnd, "transfer-encoding")) {
                    transferEncoding(b, valueStart, valueEnd, head);
                }
            }
            default -> { }
        }
    }

    private static void expect(byte[] b, int from, int to, RequestHead head) {
        if (Ascii.equalsIgnoreCase(b, from, to, "100-continue")) {
            head.expectContinue = true;
        } else {
            head.expectOther = true;
        }
    }

    private static void connection(byte[] b, int from, int to, RequestHead head) {
        for (int i = from; i <= to; ) {
            int elementEnd = elementEnd(b, i, to);
            int start = trimStart(b, i, elementEnd);
            int end = trimEnd(b, start, elementEnd);
            if (Ascii.equalsIgnoreCase(b, start, end, "close")) {
                head.closeRequested = true;
            } else if (Ascii.equalsIgnoreCase(b, start, end, "keep-alive")) {
                head.keepAliveRequested = true;
            }
            i = elementEnd + 1;
        }
    }

    /**
     * Content-Length: 1*DIGIT, or a list of identical ones (RFC 9110 section 8.6 lets a recipient take
     * "42, 42" as 42). Differing values, here or across fields, are a 400 (RFC 9112 section 6.3).
     */
    private static void contentLength(byte[] b, int from, int to, RequestHead head) throws HttpRejection {
        boolean any = false;
        for (int i = from; i <= to; ) {
            int elementEnd = elementEnd(b, i, to);
            int start = trimStart(b, i, elementEnd);
            int end = trimEnd(b, start, elementEnd);
            if (start == end) {
                i = elementEnd + 1;
                continue;
            }
            long value = decimal(b, start, end);
            if (head.contentLength >= 0 && head.contentLength != value) {
                throw HttpRejection.badRequest("Content-Length values that differ");
            }
            head.contentLength = value;
            any = true;
            i = elementEnd + 1;
        }
        if (!any) {
            throw HttpRejection.badRequest("an empty Content-Length");
        }
    }

    private static long decimal(byte[] b, int from, int to) throws HttpRejection {
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw HttpRejection.badRequest("a Content-Length that is not a decimal number");
            }
        }
        int digits = from;
        while (digits < to - 1 && b[digits] == '0') {
            digits++;
        }
        if (to - digits > MAX_LENGTH_DIGITS) {
            throw new HttpRejection(413, "a Content-Length of more than " + MAX_LENGTH_DIGITS + " significant digits");
        }
        long value = 0;
        for (int i = digits; i < to; i++) {
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    /** Transfer-Encoding: a list of codings, each a token with optional parameters; judged in {@link HeadParser}. */
    private static void transferEncoding(byte[] b, int from, int to, RequestHead head) {
        head.transferEncodingSeen = true;
        for (int i = from; i <= to; ) {
            int elementEnd = elementEnd(b, i, to);
            int start = trimStart(b, i, elementEnd);
            int end = trimEnd(b, start, elementEnd);
            if (start < end) {
                coding(b, start, end, head);
            }
            i = elementEnd + 1;
        }
    }

    private static void coding(byte[] b, int from, int to, RequestHead head) {
        int nameEnd = from;
        while (nameEnd < to && Ascii.isTchar(b[nameEnd])) {
            nameEnd++;
        }
        boolean parameters = nameEnd < to;
        boolean chunked = Ascii.equalsIgnoreCase(b, from, nameEnd, "chunked");
        if (head.lastCodingChunked) {
            head.chunkedNotLast = true;  // something follows a chunked coding
        }
        head.transferCodings++;
        head.lastCodingChunked = chunked;
        if (chunked) {
            head.codingParameters |= parameters;
        } else {
            head.otherCoding = true;
        }
    }

    /** The index of the comma that ends the list element starting at {@code from}, or {@code to}. */
    private static int elementEnd(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] != ',') {
            i++;
        }
        return i;
    }

    /** The first index in {@code b[from, to)} that is not optional whitespace, or {@code to}. */
    private static int trimStart(byte[] b, int from, int to) {
        while (from < to && Ascii.isWhitespace(b[from])) {
            from++;
        }
        return from;
    }

    /** The end of {@code b[from, to)} without its trailing optional whitespace. */
    private static int trimEnd(byte[] b, int from, int to) {
        while (to > from && Ascii.isWhitespace(b[to - 1])) {
            to--;
        }
        return to;
    }
}
