package io.greenloop.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request heads, strictly: what is parsed, and every hostile case answered with its status over a real
 * socket, the connection closed after the answer and the handler never called.
 */
class HeadParserTest extends ServerCase {

    /** Parses {@code head} (which must be complete) as the connection would. */
    static Inbound parse(String head, HttpServer.Options options) throws HttpRejection {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        Inbound in = new Inbound().reset();
        in.makeRoom(bytes.length, bytes.length + 1);
        System.arraycopy(bytes, 0, in.buf, 0, bytes.length);
        in.end = bytes.length;
        int end = in.findHeadEnd(options.maxRequestLineBytes(), options.maxHeadBytes());
        if (end < 0) {
            throw new AssertionError("incomplete head: " + head);
        }
        HeadParser.parse(in, end, options);
        return in;
    }

    static Inbound parse(String head) throws HttpRejection {
        return parse(head, HttpServer.Options.defaults());
    }

    @Test
    void aHeadIsParsedIntoOffsetsAndTheServersOwnFacts() throws HttpRejection {
        Inbound in = parse("\r\nPOST /a/b?c=d HTTP/1.1\r\nHost: x\r\ncontent-length: 12, 12\r\nConnection: Keep-Alive, close\r\n"
                + "Expect: 100-Continue\r\nX-Empty:\r\nX-Tab:\tv\t \r\n\r\nbody");
        RequestHead head = in.head;
        assertEquals("POST", head.method);
        assertEquals("/a/b?c=d", RequestHead.latin1(in.buf, head.targetStart, head.targetEnd));
        assertEquals("/a/b", RequestHead.latin1(in.buf, head.pathStart, head.pathEnd));
        assertEquals("c=d", RequestHead.latin1(in.buf, head.queryStart, head.targetEnd));
        assertEquals(11, head.version);
        assertEquals(12, head.contentLength);
        assertTrue(head.closeRequested && head.keepAliveRequested && head.expectContinue);
        assertFalse(head.keepAlive());
        assertEquals(6, head.fieldCount);
        int tab = head.find(in.buf, "x-tab", 0);
        assertEquals("v", RequestHead.latin1(in.buf, head.valueStart(tab), head.valueEnd(tab)));
        int empty = head.find(in.buf, "X-EMPTY", 0);
        assertEquals("", RequestHead.latin1(in.buf, head.valueStart(empty), head.valueEnd(empty)));
        assertEquals('b', in.buf[head.end]);
    }

    @Test
    void targetFormsGiveTheirPath() throws HttpRejection {
        Inbound absolute = parse("GET http://example.com:80/p?q HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assertEquals("/p", RequestHead.latin1(absolute.buf, absolute.head.pathStart, absolute.head.pathEnd));
        Inbound bare = parse("GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assertEquals(bare.head.pathStart, bare.head.pathEnd);
        Inbound asterisk = parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals("*", RequestHead.latin1(asterisk.buf, asterisk.head.pathStart, asterisk.head.pathEnd));
        Inbound connect = parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        assertEquals("example.com:443", RequestHead.latin1(connect.buf, connect.head.pathStart, connect.head.pathEnd));
    }

    @Test
    void http10NeedsNoHostAndIgnoresAnExpectation() throws HttpRejection {
        RequestHead head = parse("GET / HTTP/1.0\nExpect: 100-continue\nConnection: keep-alive\n\n").head;
        assertEquals(10, head.version);
        assertFalse(head.expectContinue);
        assertTrue(head.keepAlive());
    }

    @Test
    void anUnknownExpectationOnHttp10IsIgnoredButOnHttp11Refused() throws HttpRejection {
        parse("GET / HTTP/1.0\r\nExpect: magic\r\n\r\n");
        assertEquals(417, assertThrows(HttpRejection.class, () -> parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n")).status());
    }

    static Stream<Arguments> hostile() {
        String h = "Host: a\r\n";
        return Stream.of(
                Arguments.of("two spaces in the request line", 400, "GET  / HTTP/1.1\r\n" + h + "\r\n"),
                Arguments.of("no version", 400, "GET /\r\n" + h + "\r\n"),
                Arguments.of("a lower-case version", 400, "GET / http/1.1\r\n" + h + "\r\n"),
                Arguments.of("HTTP/2.0", 505, "GET / HTTP/2.0\r\n" + h + "\r\n"),
                Arguments.of("HTTP/0.9", 505, "GET / HTTP/0.9\r\n" + h + "\r\n"),
                Arguments.of("a tab in the target", 400, "GET /a\tb HTTP/1.1\r\n" + h + "\r\n"),
                Arguments.of("a target in no form", 400, "GET example.com HTTP/1.1\r\n" + h + "\r\n"),
                Arguments.of("* for GET", 400, "GET * HTTP/1.1\r\n" + h + "\r\n"),
                Arguments.of("a bare CR in the request line", 400, "GET / HTTP/1.1\rX\r\n" + h + "\r\n"),
                Arguments.of("a bare CR in a value", 400, "GET / HTTP/1.1\r\n" + h + "X: a\rb\r\n\r\n"),
                Arguments.of("NUL in a value", 400, "GET / HTTP/1.1\r\n" + h + "X: a\0b\r\n\r\n"),
                Arguments.of("an invalid name character", 400, "GET / HTTP/1.1\r\n" + h + "X(y): z\r\n\r\n"),
                Arguments.of("whitespace before the colon", 400, "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
                Arguments.of("a space inside a name", 400, "GET / HTTP/1.1\r\n" + h + "Bad Name: x\r\n\r\n"),
                Arguments.of("obs-fold", 400, "GET / HTTP/1.1\r\n" + h + "X: a\r\n b\r\n\r\n"),
                Arguments.of("a line without a colon", 400, "GET / HTTP/1.1\r\n" + h + "Nothing\r\n\r\n"),
                Arguments.of("no Host on HTTP/1.1", 400, "GET / HTTP/1.1\r\n\r\n"),
                Arguments.of("two Hosts", 400, "GET / HTTP/1.1\r\n" + h + h + "\r\n"),
                Arguments.of("Content-Length and Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("differing Content-Lengths", 400, "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello"),
                Arguments.of("a differing Content-Length list", 400, "POST / HTTP/1.1\r\n" + h + "Content-Length: 5, 6\r\n\r\nhello"),
                Arguments.of("a signed Content-Length", 400, "POST / HTTP/1.1\r\n" + h + "Content-Length: +5\r\n\r\nhello"),
                Arguments.of("a non-numeric Content-Length", 400, "POST / HTTP/1.1\r\n" + h + "Content-Length: five\r\n\r\n"),
                Arguments.of("chunked not last", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
                Arguments.of("chunked twice", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("an obfuscated second Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n"),
                Arguments.of("an unknown coding", 501, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding on HTTP/1.0", 400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("a chunk size of 17 hex digits", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n00000000000000001\r\na\r\n0\r\n\r\n"),
                Arguments.of("a negative chunk size", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n-1\r\na\r\n0\r\n\r\n"),
                Arguments.of("a non-hex chunk size", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\nzz\r\na\r\n0\r\n\r\n"),
                Arguments.of("a bare CR in a chunk line", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n1\rx\r\na\r\n0\r\n\r\n"),
                Arguments.of("an expectation other than 100-continue", 417, "GET / HTTP/1.1\r\n" + h + "Expect: 200-ok\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostile")
    void aHostileRequestIsAnsweredAndTheConnectionClosedWithoutCallingTheHandler(String what, int status, String request) {
        HttpServer server = serve(hello());
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                RawClient.Response response = client.send(request + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals(status, response.status(), what);
                assertEquals("close", response.header("connection"), what);
                assertTrue(client.closedByServer(), what + ": the connection must close after the answer");
            }
        });
        assertEquals(0, handlerCalls, what + ": the handler must not run");
        assertEquals(1, server.stats().rejected());
    }

    @Test
    void aCaseThatLooksHostileButIsNotIsServed() {
        HttpServer server = serve(hello());
        OffLoop.run(() -> {
            try (RawClient client = new RawClient(server.address())) {
                assertEquals(200, client.send("get /lower-case-method HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
                assertEquals(200, client.send("GET /a-later-minor-version HTTP/1.2\r\nHost: a\r\n\r\n").read().status());
                assertEquals(200, client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc").read().status());
                assertEquals(200, client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,Chunked\r\n\r\n"
                        + "000003;name=\"v\"\r\nabc\r\n0\r\nT: 1\r\n\r\n").read().status());
            }
        });
        assertEquals(4, handlerCalls);
    }
}
