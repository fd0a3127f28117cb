package io.greenloop.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Seeded requests for the fuzz tests: well-formed ones built from the grammar with risky choices along the way
 * (odd methods, target forms, versions, line ends, duplicate and conflicting framing fields, chunk extensions,
 * trailers), and mutations of them (bytes flipped, inserted, deleted, lines repeated, hostile lines spliced in,
 * the end cut off).
 */
final class RequestFuzzer {

    private static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "CONNECT", "get", "M-SEARCH", "G@T"};
    private static final String[] TARGETS = {"/", "/a/b", "/x?y=1&z", "*", "http://h.example/p?q", "h.example:443", "/%41%20", "//", "/a#f"};
    private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/1.10"};
    private static final String[] HOSTILE_LINES = {"Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked",
            "Transfer-Encoding: chunked, gzip", "Transfer-Encoding : chunked", "Transfer-Encoding: xchunked", "Transfer-Encoding:\tchunked",
            "Content-Length: 0", "Content-Length: 5", "Content-Length: 5, 5", "Content-Length: 5, 6", "Content-Length: -1",
            "Content-Length: 00000000000000000000000004", "Content-Length: 99999999999999999999", "Host: other", " folded",
            "\tfolded", "X: a\rb", "X:\0", "Expect: 100-continue", "Expect: nothing", "Connection: close, upgrade",
            "Upgrade: websocket", ":empty-name", "No-Colon", "X-Long: " + "v".repeat(300)};
    private static final byte[] INTERESTING = {'\r', '\n', ' ', '\t', 0, ':', ',', ';', '0', '9', 'a', 'f', 'g', '-', '+',
            0x7F, (byte) 0x80, (byte) 0xFF, (byte) 0x85, 'H', '/', '.', '1'};

    private final Random random;

    RequestFuzzer(long seed) {
        random = new Random(seed);
    }

    /** The next request: built whole about a third of the time, else built and then mutated. */
    byte[] next() {
        byte[] built = build();
        if (random.nextInt(3) == 0) {
            return built;
        }
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            built = mutate(built);
        }
        return built;
    }

    private String eol() {
        return random.nextInt(8) == 0 ? "\n" : "\r\n";
    }

    private <T> T pick(T[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private byte interesting() {
        return INTERESTING[random.nextInt(INTERESTING.length)];
    }

    private byte[] build() {
        StringBuilder head = new StringBuilder();
        if (random.nextInt(10) == 0) {
            head.append(eol());
        }
        String version = pick(VERSIONS);
        head.append(pick(METHODS)).append(' ').append(pick(TARGETS)).append(' ').append(version).append(eol());
        int hosts = random.nextInt(20) == 0 ? 0 : random.nextInt(20) == 0 ? 2 : 1;
        for (int i = 0; i < hosts; i++) {
            head.append("Host: h.example").append(eol());
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            head.append("X-F").append(random.nextInt(100)).append(':').append(random.nextBoolean() ? " " : "")
                    .append(value()).append(eol());
        }
        if (random.nextInt(6) == 0) {
            head.append(pick(HOSTILE_LINES)).append(eol());
        }
        byte[] body = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(40)];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + random.nextInt(26));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean chunked = random.nextInt(3) == 0;
        if (chunked) {
            head.append("Transfer-Encoding: chunked").append(eol()).append(eol());
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(chunks(body));
        } else {
            if (body.length > 0 || random.nextBoolean()) {
                head.append("Content-Length: ").append(body.length).append(eol());
            }
            head.append(eol());
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(body);
        }
        if (random.nextInt(5) == 0) {
            out.writeBytes("GET /next HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    private String value() {
        StringBuilder value = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            value.append((char) (random.nextInt(10) == 0 ? 0x80 + random.nextInt(0x80) : 0x20 + random.nextInt(0x5F)));
        }
        return value.toString();
    }

    private byte[] chunks(byte[] body) {
        StringBuilder out = new StringBuilder();
        int off = 0;
        while (off < body.length) {
            int n = 1 + random.nextInt(body.length - off);
            String size = Integer.toHexString(n);
            if (random.nextInt(8) == 0) {
                size = "0".repeat(random.nextInt(18)) + size;
            }
            out.append(random.nextBoolean() ? size : size.toUpperCase());
            if (random.nextInt(6) == 0) {
                out.append(random.nextBoolean() ? ";a=b" : " ;x=\"y z\"");
            }
            out.append(eol()).append(new String(body, off, n, StandardCharsets.ISO_8859_1)).append(eol());
            off += n;
        }
        out.append('0').append(eol());
        if (random.nextInt(4) == 0) {
            out.append("Trailer-X: ").append(value()).append(eol());
        }
        out.append(eol());
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] mutate(byte[] in) {
        if (in.length == 0) {
            return new byte[] {interesting()};
        }
        int at = random.nextInt(in.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 64);
        switch (random.nextInt(7)) {
            case 0 -> {
                byte[] copy = in.clone();
                copy[at] = random.nextBoolean() ? interesting() : (byte) random.nextInt(256);
                return copy;
            }
            case 1 -> {
                out.write(in, 0, at);
                out.write(interesting());
                out.write(in, at, in.length - at);
            }
            case 2 -> {
                out.write(in, 0, at);
                out.write(in, at + 1, in.length - at - 1);
            }
            case 3 -> {
                out.write(in, 0, at);
            }
            case 4 -> {
                int lineStart = lineStart(in, at);
                int lineEnd = lineEnd(in, at);
                out.write(in, 0, lineEnd);
                out.write(in, lineStart, lineEnd - lineStart);
                out.write(in, lineEnd, in.length - lineEnd);
            }
            case 5 -> {
                int lineEnd = lineEnd(in, at);
                out.write(in, 0, lineEnd);
                out.writeBytes((pick(HOSTILE_LINES) + eol()).getBytes(StandardCharsets.ISO_8859_1));
                out.write(in, lineEnd, in.length - lineEnd);
            }
            default -> {
                byte[] copy = in.clone();
                copy[at] = (byte) (copy[at] ^ (1 << random.nextInt(8)));
                return copy;
            }
        }
        return out.toByteArray();
    }

    private static int lineStart(byte[] b, int at) {
        int i = at;
        while (i > 0 && b[i - 1] != '\n') {
            i--;
        }
        return i;
    }

    private static int lineEnd(byte[] b, int at) {
        int i = at;
        while (i < b.length && b[i] != '\n') {
            i++;
        }
        return Math.min(b.length, i + 1);
    }

    /** The bytes as a Java string literal, for a failure message. */
    static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        for (byte b : bytes) {
            int c = b & 0xFF;
            switch (c) {
                case '\r' -> s.append("\\r");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> s.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u%04x", c));
            }
        }
        return s.append('"').toString();
    }
}
