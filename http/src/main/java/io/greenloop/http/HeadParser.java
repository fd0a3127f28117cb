package io.greenloop.http;

/**
 * Parses a request head that {@link Inbound#findHeadEnd} found complete, strictly, as RFC 9112 asks of a
 * server that must not be fooled into reading a different request than a proxy in front of it did: one
 * space between the parts of the request line; no whitespace before a field's colon; no obs-fold; no bare
 * CR; no control characters; field values of visible characters, spaces and tabs. Then the framing rules of
 * RFC 9112 section 6: Content-Length and Transfer-Encoding together, differing Content-Lengths,
 * Transfer-Encoding on HTTP/1.0, a coding other than {@code chunked} last; and {@code Host} exactly once on
 * HTTP/1.1. Every refusal is an {@link HttpRejection} with its status; nothing else escapes.
 */
final class HeadParser {

    private HeadParser() {
    }

    /** Parses {@code in.buf[in.requestLineStart(), headEnd)} into {@code in.head}. */
    static void parse(Inbound in, int headEnd, HttpServer.Options limits) throws HttpRejection {
        RequestHead head = in.head;
        head.clear();
        head.start = in.start;
        head.end = headEnd;
        byte[] b = in.buf;
        int lf = lineEnd(b, in.requestLineStart(), headEnd);
        parseRequestLine(b, in.requestLineStart(), contentEnd(b, in.requestLineStart(), lf), head);
        int pos = lf + 1;
        while (true) {
            lf = lineEnd(b, pos, headEnd);
            int contentEnd = contentEnd(b, pos, lf);
            if (contentEnd == pos) {
                break;
            }
            if (head.fieldCount == limits.maxHeaderFields()) {
                throw new HttpRejection(431, "the request has more than " + limits.maxHeaderFields() + " header fields");
            }
            parseField(b, pos, contentEnd, head);
            pos = lf + 1;
        }
        checkSemantics(head, limits);
        checkTargetForm(b, head);
    }

    /** The index of the LF that ends the line starting at {@code from}; the scan guarantees one before {@code limit}. */
    private static int lineEnd(byte[] b, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (b[i] == Ascii.LF) {
                return i;
            }
        }
        throw new IllegalStateException("no line end in a head the scan found complete");
    }

    /** The end of a line's content: before its CRLF, or before a lone LF (RFC 9112 section 2.2 allows one). */
    static int contentEnd(byte[] b, int from, int lf) {
        return lf > from && b[lf - 1] == Ascii.CR ? lf - 1 : lf;
    }

    private static void parseRequestLine(byte[] b, int from, int to, RequestHead head) throws HttpRejection {
        int i = from;
        while (i < to && Ascii.isTchar(b[i])) {
            i++;
        }
        if (i == from || i == to || b[i] != Ascii.SP) {
            throw malformed(b, i, to, "the request line's method");
        }
        head.method = method(b, from, i);
        int targetStart = ++i;
        while (i < to && Ascii.isTarget(b[i])) {
            i++;
        }
        if (i == targetStart || i == to || b[i] != Ascii.SP) {
            throw malformed(b, i, to, "the request target");
        }
        head.targetStart = targetStart;
        head.targetEnd = i;
        head.version = version(b, i + 1, to);
    }

    private static HttpRejection malformed(byte[] b, int at, int to, String part) {
        if (at < to && b[at] == Ascii.CR) {
            return HttpRejection.badRequest("a bare CR in " + part);
        }
        return HttpRejection.badRequest("a malformed request line (at " + part + ")");
    }

    /**
     * HTTP/1.0 and HTTP/1.1 are served, and a later 1.x as 1.1 (RFC 9110 section 2.5: the highest minor version of
     * the major one the server implements); another major version is a 505, anything but HTTP/DIGIT.DIGIT a 400.
     */
    private static int version(byte[] b, int from, int to) throws HttpRejection {
        if (to - from != 8 || b[from] != 'H' || b[from + 1] != 'T' || b[from + 2] != 'T' || b[from + 3] != 'P'
                || b[from + 4] != '/' || !isDigit(b[from + 5]) || b[from + 6] != '.' || !isDigit(b[from + 7])) {
            throw malformed(b, from, to, "the HTTP version");
        }
        int major = b[from + 5] - '0';
        int minor = b[from + 7] - '0';
        if (major != 1) {
            throw new HttpRejection(505, "HTTP/" + major + "." + minor + " is not supported; use HTTP/1.1");
        }
        return minor == 0 ? 10 : 11;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** The common methods as constants, so that a request allocates no String for its method. */
    private static String method(byte[] b, int from, int to) {
        for (String known : KNOWN_METHODS) {
            if (known.length() == to - from && matches(b, from, known)) {
                return known;
            }
        }
        return RequestHead.latin1(b, from, to);
    }

    private static final String[] KNOWN_METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE"};

    private static boolean matches(byte[] b, int from, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** One field line, {@code b[from, to)} without its line end. */
    private static void parseField(byte[] b, int from, int to, RequestHead head) throws HttpRejection {
        int colon = fieldNameEnd(b, from, to, "header");
        int valueStart = colon + 1;
        while (valueStart < to && Ascii.isWhitespace(b[valueStart])) {
            valueStart++;
        }
        int valueEnd = to;
        while (valueEnd > valueStart && Ascii.isWhitespace(b[valueEnd - 1])) {
            valueEnd--;
        }
        checkFieldValue(b, valueStart, valueEnd, "header");
        head.addField(from, colon, valueStart, valueEnd);
        FieldSemantics.apply(b, from, colon, valueStart, valueEnd, head);
    }

    /**
     * Checks a field line's name (a header's or a trailer's) and returns the index of its colon: a line that
     * starts with whitespace is obs-fold (RFC 9112 section 5.2) and whitespace before the colon is forbidden
     * (section 5.1): both are 400.
     */
    static int fieldNameEnd(byte[] b, int from, int to, String kind) throws HttpRejection {
        if (from < to && Ascii.isWhitespace(b[from])) {
            throw HttpRejection.badRequest("a " + kind + " line starting with whitespace (obs-fold is not accepted)");
        }
        int i = from;
        while (i < to && Ascii.isTchar(b[i])) {
            i++;
        }
        if (i < to && b[i] == ':' && i > from) {
            return i;
        }
        if (i < to && Ascii.isWhitespace(b[i])) {
            throw HttpRejection.badRequest("whitespace between a " + kind + " field's name and its colon");
        }
        if (i < to && b[i] == Ascii.CR) {
            throw HttpRejection.badRequest("a bare CR in a " + kind + " field");
        }
        throw HttpRejection.badRequest(i == to ? "a " + kind + " line without a colon"
                : "an invalid character in a " + kind + " field name");
    }

    /** Checks that {@code b[from, to)} holds only what a field value may: visible characters, spaces, tabs, obs-text. */
    static void checkFieldValue(byte[] b, int from, int to, String kind) throws HttpRejection {
        for (int i = from; i < to; i++) {
            if (!Ascii.isFieldValue(b[i])) {
                throw HttpRejection.badRequest(b[i] == Ascii.CR ? "a bare CR in a " + kind + " field value"
                        : "a control character in a " + kind + " field value");
            }
        }
    }

    private static void checkSemantics(RequestHead head, HttpServer.Options limits) throws HttpRejection {
        if (head.transferEncodingSeen) {
            checkTransferCoding(head);
        }
        if (head.version == 11 ? head.hostFields != 1 : head.hostFields > 1) {
            throw HttpRejection.badRequest(head.hostFields == 0 ? "an HTTP/1.1 request without Host" : "more than one Host field");
        }
        if (head.expectOther && head.version == 11) {
            throw new HttpRejection(417, "the only expectation served is 100-continue");
        }
        if (head.version == 10) {
            head.expectContinue = false;  // RFC 9110 section 10.1.1: ignored in an HTTP/1.0 request
        }
        if (head.contentLength > limits.maxBodyBytes()) {
            throw new HttpRejection(413, "the request body is longer than " + limits.maxBodyBytes() + " bytes");
        }
    }

    private static void checkTransferCoding(RequestHead head) throws HttpRejection {
        if (head.version == 10) {
            throw HttpRejection.badRequest("Transfer-Encoding in an HTTP/1.0 request");
        }
        if (head.contentLength >= 0) {
            throw HttpRejection.badRequest("both Content-Length and Transfer-Encoding");
        }
        if (!head.lastCodingChunked || head.chunkedNotLast) {
            throw HttpRejection.badRequest("a Transfer-Encoding whose last coding is not chunked, once");
        }
        if (head.codingParameters) {
            throw HttpRejection.badRequest("parameters on the chunked transfer coding");
        }
        if (head.otherCoding) {
            throw new HttpRejection(501, "a transfer coding other than chunked");
        }
        head.chunked = true;
    }

    /**
     * The request-target forms of RFC 9112 section 3.2: origin-form for every method but CONNECT, absolute-form
     * for any method (the path is taken from it), authority-form for CONNECT only, asterisk-form for OPTIONS only.
     */
    private static void checkTargetForm(byte[] b, RequestHead head) throws HttpRejection {
        int from = head.targetStart;
        int to = head.targetEnd;
        boolean connect = "CONNECT".equals(head.method);
        head.pathStart = from;
        if (b[from] == '/' && !connect) {
            splitQuery(b, from, to, head);
        } else if (to - from == 1 && b[from] == '*' && "OPTIONS".equals(head.method)) {
            head.pathEnd = to;
        } else if (connect) {
            head.pathEnd = to;
        } else {
            int pathStart = absolutePathStart(b, from, to);
            if (pathStart < 0) {
                throw HttpRejection.badRequest("a request target that is none of origin-form, absolute-form,"
                        + " authority-form (CONNECT) and * (OPTIONS)");
            }
            head.pathStart = pathStart;
            splitQuery(b, pathStart, to, head);
        }
    }

    private static void splitQuery(byte[] b, int from, int to, RequestHead head) {
        head.pathEnd = to;
        for (int i = from; i < to; i++) {
            if (b[i] == '?') {
                head.pathEnd = i;
                head.queryStart = i + 1;
                return;
            }
        }
    }

    /** For absolute-form ({@code scheme "://" authority path}): where its path starts (at its end when it has none); -1 otherwise. */
    private static int absolutePathStart(byte[] b, int from, int to) {
        int i = from;
        if (i == to || !isAlpha(b[i])) {
            return -1;
        }
        while (i < to && (isAlpha(b[i]) || isDigit(b[i]) || b[i] == '+' || b[i] == '-' || b[i] == '.')) {
            i++;
        }
        if (to - i < 3 || b[i] != ':' || b[i + 1] != '/' || b[i + 2] != '/') {
            return -1;
        }
        for (int j = i + 3; j < to; j++) {
            if (b[j] == '/' || b[j] == '?') {
                return j;
            }
        }
        return to;
    }

    private static boolean isAlpha(byte b) {
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'z';
    }
}
