package io.greenloop.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At least 100,000 random and mutated requests through the server's parsing (head scan, head parse, chunked
 * decoding), each judged against {@link ReferenceParser}: the same outcome (served with the same body, refused
 * with the same status, or incomplete), and never an exception other than the server's own refusal. Seeded:
 * {@code -Dgreenloop.fuzz.seed=N} replays a run, and a failure prints its seed and the request. Pure parsing,
 * no sockets, so it runs once (on the nio run), not once per transport; {@link HttpConnectionFuzzTest} checks
 * over sockets that no handler sees a refused request.
 */
@DisabledIfSystemProperty(named = "greenloop.transport", matches = "epoll|kqueue", disabledReason = "no sockets: one run is enough")
class HeadParserFuzzTest {

    static final int REQUESTS = 120_000;
    /** Small limits, so that 414 and 431 are reached too. */
    static final HttpServer.Options LIMITS = HttpServer.Options.defaults().withMaxRequestLineBytes(200)
            .withMaxHeadBytes(700).withMaxHeaderFields(12).withMaxBodyBytes(60);

    static long seed() {
        String fixed = System.getProperty("greenloop.fuzz.seed");
        return fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    }

    @Test
    void theParserAgreesWithTheReferenceOnRandomAndMutatedRequests() {
        long seed = seed();
        RequestFuzzer fuzzer = new RequestFuzzer(seed);
        ReferenceParser reference = new ReferenceParser(LIMITS);
        int served = 0;
        int refused = 0;
        for (int i = 0; i < REQUESTS; i++) {
            byte[] request = fuzzer.next();
            ReferenceParser.Verdict expected = reference.whole(request);
            ReferenceParser.Verdict actual;
            try {
                actual = parse(request, LIMITS);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("seed " + seed + ", request " + i + ": the parser threw " + e + " on "
                        + RequestFuzzer.printable(request), e);
            }
            int index = i;
            assertEquals(expected, actual, () -> "seed " + seed + ", request " + index + ": " + RequestFuzzer.printable(request));
            served += expected.kind() == ReferenceParser.Verdict.Kind.SERVED ? 1 : 0;
            refused += expected.kind() == ReferenceParser.Verdict.Kind.REFUSED ? 1 : 0;
        }
        System.out.printf("fuzz seed %d: %d requests, %d served, %d refused, %d incomplete%n", seed, REQUESTS, served,
                refused, REQUESTS - served - refused);
        assertTrue(served > REQUESTS / 10 && refused > REQUESTS / 10, "the fuzzer must reach both outcomes often");
    }

    /** What the server makes of the first request in {@code bytes}, all of them in its buffer and no more to come. */
    static ReferenceParser.Verdict parse(byte[] bytes, HttpServer.Options limits) {
        Inbound in = new Inbound().reset();
        in.makeRoom(bytes.length, bytes.length + 1);
        System.arraycopy(bytes, 0, in.buf, 0, bytes.length);
        in.end = bytes.length;
        try {
            int headEnd = in.findHeadEnd(limits.maxRequestLineBytes(), limits.maxHeadBytes());
            if (headEnd < 0) {
                return ReferenceParser.Verdict.INCOMPLETE;
            }
            HeadParser.parse(in, headEnd, limits);
            RequestHead head = in.head;
            in.start = head.end;
            byte[] body = head.chunked ? chunked(in, limits) : fixed(in, head.contentLength);
            return body == null ? ReferenceParser.Verdict.INCOMPLETE : new ReferenceParser.Verdict(ReferenceParser.Verdict.Kind.SERVED, 200, body);
        } catch (HttpRejection rejection) {
            return ReferenceParser.Verdict.refused(rejection.status());
        }
    }

    private static byte[] fixed(Inbound in, long length) {
        long n = Math.max(length, 0);
        if (in.buffered() < n) {
            return null;
        }
        return java.util.Arrays.copyOfRange(in.buf, in.start, in.start + (int) n);
    }

    private static byte[] chunked(Inbound in, HttpServer.Options limits) throws HttpRejection {
        ChunkedDecoder decoder = new ChunkedDecoder(limits.maxBodyBytes(), limits.maxHeadBytes(), in.head.end - in.head.start);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] piece = new byte[7];
        while (true) {
            int found = decoder.advance(in);
            if (found == ChunkedDecoder.END) {
                return body.toByteArray();
            }
            if (found == ChunkedDecoder.NEED_MORE || in.buffered() == 0) {
                return null;
            }
            int n = decoder.take(in, piece, 0, piece.length);
            body.write(piece, 0, n);
        }
    }
}
