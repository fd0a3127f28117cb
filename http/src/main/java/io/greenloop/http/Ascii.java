package io.greenloop.http;

/**
 * The byte classes of RFC 9110/9112 that parsing and header checks need, as lookup tables: one array read
 * per byte on the parser's hot path instead of a chain of comparisons.
 */
final class Ascii {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    /** tchar (RFC 9110 section 5.6.2): what field names, methods and transfer-coding names are made of. */
    private static final boolean[] TCHAR = new boolean[256];
    /** field-vchar, SP and HTAB (RFC 9110 section 5.5): what a field value may hold; obs-text included. */
    private static final boolean[] FIELD_VALUE = new boolean[256];
    /** What a request-target may hold: visible ASCII; no space, no control, nothing above 0x7E. */
    private static final boolean[] TARGET = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = 0x21; c <= 0x7E; c++) {
            FIELD_VALUE[c] = true;
            TARGET[c] = true;
        }
        for (int c = 0x80; c <= 0xFF; c++) {
            FIELD_VALUE[c] = true;
        }
        FIELD_VALUE[SP] = true;
        FIELD_VALUE[HTAB] = true;
    }

    private Ascii() {
    }

    static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    static boolean isFieldValue(byte b) {
        return FIELD_VALUE[b & 0xFF];
    }

    static boolean isTarget(byte b) {
        return TARGET[b & 0xFF];
    }

    static boolean isWhitespace(byte b) {
        return b == SP || b == HTAB;
    }

    /** The value of a hex digit, or -1. */
    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    /** Whether {@code buf[from, to)} equals {@code lowerCase}, ignoring ASCII case in the bytes. */
    static boolean equalsIgnoreCase(byte[] buf, int from, int to, String lowerCase) {
        int length = to - from;
        if (length != lowerCase.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int b = buf[from + i];
            if (b >= 'A' && b <= 'Z') {
                b |= 0x20;
            }
            if (b != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code name} (a String) equals {@code buf[from, to)}, ignoring ASCII case on both sides. */
    static boolean nameEquals(byte[] buf, int from, int to, String name) {
        int length = to - from;
        if (length != name.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (lower(buf[from + i] & 0xFF) != lower(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
    }

    /** Whether {@code s} is a non-empty token (1*tchar). */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }
}
