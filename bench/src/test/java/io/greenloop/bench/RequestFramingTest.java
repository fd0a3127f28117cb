package io.greenloop.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequestFramingTest {

    private static final byte[] TWO_REQUESTS = ("GET / HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /b HTTP/1.1\r\nHost: a\r\nX: \r\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    @Test
    void countsEveryRequestWhereverTheReadsSplitThem() {
        for (int split = 0; split <= TWO_REQUESTS.length; split++) {
            RequestFraming framing = new RequestFraming();
            int first = framing.completedRequests(TWO_REQUESTS, 0, split);
            int second = framing.completedRequests(TWO_REQUESTS, split, TWO_REQUESTS.length);
            assertEquals(2, first + second, "split at byte " + split);
        }
    }

    @Test
    void countsOneByteAtATime() {
        RequestFraming framing = new RequestFraming();
        int total = 0;
        for (int i = 0; i < TWO_REQUESTS.length; i++) {
            total += framing.completedRequests(TWO_REQUESTS, i, i + 1);
        }
        assertEquals(2, total);
    }

    @Test
    void aLoneLineEndIsNotARequestEnd() {
        byte[] partial = "GET / HTTP/1.1\r\nHost: a\r\n\r".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0, new RequestFraming().completedRequests(partial, 0, partial.length));
    }

    @Test
    void responsesRepeatTheResponse() {
        byte[] three = RequestFraming.responses(3);
        assertEquals(3 * RequestFraming.RESPONSE.length, three.length);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < RequestFraming.RESPONSE.length; j++) {
                assertEquals(RequestFraming.RESPONSE[j], three[i * RequestFraming.RESPONSE.length + j]);
            }
        }
    }
}
