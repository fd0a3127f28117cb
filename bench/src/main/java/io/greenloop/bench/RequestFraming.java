package io.greenloop.bench;

import java.nio.charset.StandardCharsets;

/**
 * The request framing every hello-world server of this module shares, greenloop's and Netty's alike, so that
 * both sides of a comparison do the same work: a request ends at {@code \r\n\r\n} (no body, as {@code wrk}
 * and {@link LatencyBenchmark} send), and each one gets the same fixed {@link #RESPONSE}. One instance per
 * connection; it keeps the partial match across reads, so a terminator split between two reads still counts.
 * Not thread-safe: a connection's reads come from one greenlet or one event loop.
 */
final class RequestFraming {

    /** The answer to every request: a keep-alive 200 with a 13-byte body. */
    static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 13\r\n"
            + "\r\n"
            + "Hello, World!").getBytes(StandardCharsets.US_ASCII);

    /** The request {@link LatencyBenchmark} sends: what {@code wrk} sends for {@code http://127.0.0.1:PORT/}, give or take the port. */
    static final byte[] REQUEST = ("GET / HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "\r\n").getBytes(StandardCharsets.US_ASCII);

    /** {@code count} copies of {@link #RESPONSE} back to back: the answer to {@code count} pipelined requests. */
    static byte[] responses(int count) {
        return repeated(RESPONSE, count);
    }

    /** {@code count} copies of {@code bytes} back to back: pipelined requests, or their answers. */
    static byte[] repeated(byte[] bytes, int count) {
        byte[] all = new byte[count * bytes.length];
        for (int i = 0; i < count; i++) {
            System.arraycopy(bytes, 0, all, i * bytes.length, bytes.length);
        }
        return all;
    }

    private static final byte[] TERMINATOR = {'\r', '\n', '\r', '\n'};

    /** How many bytes of {@link #TERMINATOR} the bytes seen so far end with. */
    private int matched;

    /** Consumes {@code data[from, to)} and returns how many requests ended in it. */
    int completedRequests(byte[] data, int from, int to) {
        int completed = 0;
        int m = matched;
        for (int i = from; i < to; i++) {
            byte b = data[i];
            if (b == TERMINATOR[m]) {
                if (++m == TERMINATOR.length) {
                    completed++;
                    m = 0;
                }
            } else {
                m = b == '\r' ? 1 : 0;
            }
        }
        matched = m;
        return completed;
    }
}
