package io.greenloop.http;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second reading of RFC 9112 for the fuzz tests, written apart from the server's parser and in another style
 * (strings and regular expressions instead of byte offsets): what a request's first message is, refused with
 * which status, or incomplete. The status of a refusal follows the order in which the server checks (the line,
 * then each field in turn, then the framing rules), so that two correct parsers give the same answer.
 */
final class ReferenceParser {

    private static final String TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
    private static final Pattern REQUEST_LINE = Pattern.compile("(" + TCHAR + "+) ([\\x21-\\x7E]+) (.*)", Pattern.DOTALL);
    private static final Pattern VERSION = Pattern.compile("HTTP/([0-9])\\.([0-9])");
    private static final Pattern FIELD = Pattern.compile("(" + TCHAR + "+):[ \\t]*(.*?)[ \\t]*", Pattern.DOTALL);
    private static final Pattern FIELD_VALUE = Pattern.compile("[\\t\\x20-\\x7E\\x80-\\xFF]*");
    private static final Pattern CHUNK_LINE = Pattern.compile("([0-9A-Fa-f]+)([ \\t]*;[\\t\\x20-\\x7E\\x80-\\xFF]*)?");
    private static final Pattern ABSOLUTE = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*://.*");

    /** The outcome for the first request in some bytes. */
    record Verdict(Kind kind, int status, byte[] body) {
        enum Kind { SERVED, REFUSED, INCOMPLETE }

        static Verdict refused(int status) {
            return new Verdict(Kind.REFUSED, status, null);
        }

        static final Verdict INCOMPLETE = new Verdict(Kind.INCOMPLETE, 0, null);

        @Override
        public boolean equals(Object other) {
            return other instanceof Verdict v && v.kind == kind && v.status == status && java.util.Arrays.equals(v.body, body);
        }

        @Override
        public int hashCode() {
            return kind.hashCode() * 31 + status;
        }

        @Override
        public String toString() {
            return kind + (kind == Kind.REFUSED ? " " + status : "")
                    + (body != null ? " body=" + new String(body, StandardCharsets.ISO_8859_1) : "");
        }
    }

    /** Thrown inside the reference parser for a refusal. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    private final HttpServer.Options limits;
    private String text;
    private int pos;

    ReferenceParser(HttpServer.Options limits) {
        this.limits = limits;
    }

    /** What the head of the first request in {@code bytes} comes to; a served head's body is judged by {@link #body}. */
    Verdict head(byte[] bytes) {
        return judge(bytes, false);
    }

    /** The whole first request: its head, then its body decoded. */
    Verdict whole(byte[] bytes) {
        return judge(bytes, true);
    }

    private Verdict judge(byte[] bytes, boolean withBody) {
        text = new String(bytes, StandardCharsets.ISO_8859_1);
        pos = 0;
        try {
            Head head = parseHead();
            if (head == null) {
                return Verdict.INCOMPLETE;
            }
            if (!withBody) {
                return new Verdict(Verdict.Kind.SERVED, 200, null);
            }
            byte[] body = head.chunked ? chunked(head.length) : fixed(head.contentLength);
            return body == null ? Verdict.INCOMPLETE : new Verdict(Verdict.Kind.SERVED, 200, body);
        } catch (Refused refused) {
            return Verdict.refused(refused.status);
        }
    }

    private static final class Head {
        String method;
        String target;
        int version;
        long contentLength = -1;
        boolean chunked;
        int length;
    }

    /** The next line without its line end (CRLF or LF), or null when no LF follows yet. */
    private String line() {
        int lf = text.indexOf('\n', pos);
        if (lf < 0) {
            return null;
        }
        String line = text.substring(pos, lf);
        pos = lf + 1;
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private Head parseHead() throws Refused {
        int start = pos;
        List<String> lines = new ArrayList<>();
        boolean requestLineDone = false;
        while (true) {
            int lf = text.indexOf('\n', pos);
            if (lf < 0) {
                if (!requestLineDone && text.length() - pos > limits.maxRequestLineBytes()) {
                    throw new Refused(414);
                }
                if (text.length() - start > limits.maxHeadBytes()) {
                    throw new Refused(431);
                }
                return null;
            }
            if (lf + 1 - start > limits.maxHeadBytes()) {
                throw new Refused(431);
            }
            String line = line();
            if (line.isEmpty()) {
                if (requestLineDone) {
                    break;
                }
                continue;
            }
            if (!requestLineDone && line.length() > limits.maxRequestLineBytes()) {
                throw new Refused(414);
            }
            requestLineDone = true;
            lines.add(line);
        }
        Head head = new Head();
        head.length = pos - start;
        requestLine(lines.getFirst(), head);
        Fields fields = new Fields();
        for (int i = 1; i < lines.size(); i++) {
            if (i - 1 == limits.maxHeaderFields()) {
                throw new Refused(431);
            }
            fields.add(lines.get(i), head);
        }
        fields.check(head, limits);
        checkTarget(head);
        return head;
    }

    private static void requestLine(String line, Head head) throws Refused {
        Matcher m = REQUEST_LINE.matcher(line);
        if (!m.matches()) {
            throw new Refused(400);
        }
        Matcher version = VERSION.matcher(m.group(3));
        if (!version.matches()) {
            throw new Refused(400);
        }
        if (!version.group(1).equals("1")) {
            throw new Refused(505);
        }
        head.method = m.group(1);
        head.target = m.group(2);
        head.version = version.group(2).equals("0") ? 10 : 11;
    }

    /** What the fields say, collected in order as the server collects them. */
    private static final class Fields {
        int hosts;
        boolean expectOther;
        boolean transferEncoding;
        List<String> codings = new ArrayList<>();

        void add(String line, Head head) throws Refused {
            Matcher m = FIELD.matcher(line);
            if (!m.matches() || !FIELD_VALUE.matcher(m.group(2)).matches()) {
                throw new Refused(400);
            }
            String value = m.group(2);
            switch (m.group(1).toLowerCase(Locale.ROOT)) {
                case "host" -> hosts++;
                case "expect" -> expectOther |= !value.equalsIgnoreCase("100-continue");
                case "content-length" -> contentLength(value, head);
                case "transfer-encoding" -> {
                    transferEncoding = true;
                    for (String element : value.split(",", -1)) {
                        if (!element.strip().isEmpty()) {
                            codings.add(element.strip());
                        }
                    }
                }
                default -> { }
            }
        }

        private static void contentLength(String value, Head head) throws Refused {
            boolean any = false;
            for (String element : value.split(",", -1)) {
                String number = element.strip();
                if (number.isEmpty()) {
                    continue;
                }
                if (!number.matches("[0-9]+")) {
                    throw new Refused(400);
                }
                String significant = number.replaceFirst("^0+(?=.)", "");
                if (significant.length() > 18) {
                    throw new Refused(413);
                }
                long parsed = Long.parseLong(significant);
                if (head.contentLength >= 0 && head.contentLength != parsed) {
                    throw new Refused(400);
                }
                head.contentLength = parsed;
                any = true;
            }
            if (!any) {
                throw new Refused(400);
            }
        }

        void check(Head head, HttpServer.Options limits) throws Refused {
            if (transferEncoding) {
                if (head.version == 10 || head.contentLength >= 0) {
                    throw new Refused(400);
                }
                List<String> names = new ArrayList<>();
                boolean parameters = false;
                for (String coding : codings) {
                    Matcher name = Pattern.compile("(" + TCHAR + "*)(.*)", Pattern.DOTALL).matcher(coding);
                    name.matches();
                    names.add(name.group(1).toLowerCase(Locale.ROOT));
                    parameters |= name.group(1).equalsIgnoreCase("chunked") && !name.group(2).isEmpty();
                }
                if (names.isEmpty() || !names.getLast().equals("chunked") || names.indexOf("chunked") != names.size() - 1) {
                    throw new Refused(400);
                }
                if (parameters) {
                    throw new Refused(400);
                }
                if (names.size() > 1) {
                    throw new Refused(501);
                }
                head.chunked = true;
            }
            if (head.version == 11 ? hosts != 1 : hosts > 1) {
                throw new Refused(400);
            }
            if (expectOther && head.version == 11) {
                throw new Refused(417);
            }
            if (head.contentLength > limits.maxBodyBytes()) {
                throw new Refused(413);
            }
        }
    }

    private static void checkTarget(Head head) throws Refused {
        boolean connect = head.method.equals("CONNECT");
        boolean ok = (head.target.startsWith("/") && !connect) || (head.target.equals("*") && head.method.equals("OPTIONS"))
                || connect || ABSOLUTE.matcher(head.target).matches();
        if (!ok) {
            throw new Refused(400);
        }
    }

    private byte[] fixed(long length) {
        long n = Math.max(length, 0);
        if (text.length() - pos < n) {
            return null;
        }
        return text.substring(pos, pos + (int) n).getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] chunked(int headLength) throws Refused {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long total = 0;
        int budget = limits.maxHeadBytes() - headLength;
        while (true) {
            if (text.indexOf('\n', pos) < 0 && text.length() - pos > 18 + Math.max(budget, 0)) {
                throw new Refused(431);
            }
            String line = line();
            if (line == null) {
                return null;
            }
            Matcher m = CHUNK_LINE.matcher(line);
            if (!m.matches()) {
                throw new Refused(400);
            }
            if (m.group(1).length() > 16) {
                throw new Refused(400);
            }
            if (m.group(2) != null) {
                budget -= m.group(2).length();
                if (budget < 0) {
                    throw new Refused(431);
                }
            }
            BigInteger size = new BigInteger(m.group(1), 16);
            if (size.compareTo(BigInteger.valueOf(limits.maxBodyBytes() - total)) > 0) {
                throw new Refused(413);
            }
            total += size.longValue();
            if (size.signum() == 0) {
                return trailers(body, budget);
            }
            if (text.length() - pos < size.longValue()) {
                return null;
            }
            body.writeBytes(text.substring(pos, pos + size.intValue()).getBytes(StandardCharsets.ISO_8859_1));
            pos += size.intValue();
            if (!dataEnd()) {
                return null;
            }
        }
    }

    private boolean dataEnd() throws Refused {
        if (text.startsWith("\n", pos)) {
            pos += 1;
            return true;
        }
        if (text.startsWith("\r\n", pos)) {
            pos += 2;
            return true;
        }
        if (text.length() - pos == 0 || text.length() - pos == 1 && text.charAt(pos) == '\r') {
            return false;
        }
        throw new Refused(400);
    }

    private byte[] trailers(ByteArrayOutputStream body, int budget) throws Refused {
        while (true) {
            int before = pos;
            String line = line();
            if (line == null) {
                if (text.length() - pos > budget) {
                    throw new Refused(431);
                }
                return null;
            }
            budget -= pos - before;
            if (budget < 0) {
                throw new Refused(431);
            }
            if (line.isEmpty()) {
                return body.toByteArray();
            }
            Matcher m = FIELD.matcher(line);
            if (!m.matches() || !FIELD_VALUE.matcher(m.group(2)).matches()) {
                throw new Refused(400);
            }
        }
    }
}
