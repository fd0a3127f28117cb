package io.greenloop.http;

import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and mutated requests over real sockets, on every transport: each on a connection of its own, judged by
 * {@link ReferenceParser}. A request the reference refuses gets that status and never reaches the handler; one
 * it serves gets 200 from the handler (which reads the whole body); an incomplete one gets no answer. Seeded like
 * {@link HeadParserFuzzTest}.
 */
class HttpConnectionFuzzTest extends ServerCase {

    private static final int REQUESTS = 2_000;

    /** One request's outcome on the wire: the first final status (0: no answer) and how many handler calls it made. */
    private record Outcome(int status, int handlerCalls) { }

    @Test
    void noHandlerSeesARequestTheReferenceRefuses() {
        long seed = HeadParserFuzzTest.seed();
        RequestFuzzer fuzzer = new RequestFuzzer(seed);
        ReferenceParser reference = new ReferenceParser(HeadParserFuzzTest.LIMITS);
        HttpServer server = serve(counting((request, response) -> {
            request.bodyBytes();
            response.send("ok");
        }), HeadParserFuzzTest.LIMITS);
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            requests.add(fuzzer.next());
        }
        int refused = 0;
        for (int i = 0; i < REQUESTS; i++) {
            byte[] request = requests.get(i);
            int callsBefore = handlerCalls;
            int status = OffLoop.call(() -> exchange(server, request));
            awaitNoConnections(server);
            Outcome outcome = new Outcome(status, handlerCalls - callsBefore);
            String where = "seed " + seed + ", request " + i + ": " + RequestFuzzer.printable(request) + " -> " + outcome;
            ReferenceParser.Verdict head = reference.head(request);
            ReferenceParser.Verdict whole = reference.whole(request);
            switch (head.kind()) {
                case REFUSED -> {
                    assertEquals(new Outcome(head.status(), 0), outcome, where);
                    refused++;
                }
                case INCOMPLETE -> assertEquals(new Outcome(0, 0), outcome, where);
                case SERVED -> {
                    int expected = switch (whole.kind()) {
                        case SERVED -> 200;
                        case REFUSED -> whole.status();
                        case INCOMPLETE -> 0;
                    };
                    assertEquals(expected, outcome.status(), where);
                    assertTrue(outcome.handlerCalls() <= 1 || whole.kind() == ReferenceParser.Verdict.Kind.SERVED, where);
                }
            }
        }
        assertTrue(refused > REQUESTS / 10, "only " + refused + " refused");
    }

    /** Sends {@code request}, ends the client's side, and returns the status of the first final response (0: none). */
    private static int exchange(HttpServer server, byte[] request) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(server.address(), 10_000);
            socket.setSoTimeout(RawClient.READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(request);
            socket.shutdownOutput();
            String answer;
            try {
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException reset) {
                answer = "";
            }
            while (answer.startsWith("HTTP/1.1 100 Continue\r\n\r\n")) {
                answer = answer.substring("HTTP/1.1 100 Continue\r\n\r\n".length());
            }
            return answer.isEmpty() ? 0 : Integer.parseInt(answer.substring(9, 12));
        }
    }
}
