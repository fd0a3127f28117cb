package io.greenloop.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;

/**
 * One request, as its handler sees it. The head is parsed but not copied: the method, target and header
 * values become {@code String}s only when asked for, from the connection's buffer. Valid until the handler
 * returns; after that every method throws {@link IllegalStateException} (copy what a greenlet of the handler
 * needs later). Thread rule: the handler's greenlet (or another greenlet of its loop while the handler waits).
 */
public final class HttpRequest {

    private final HttpConnection connection;
    private final Inbound in;
    private final RequestHead head;
    private final RequestBody body;
    private final InetSocketAddress remoteAddress;
    private String target;
    private String path;
    private String query;
    private HttpHeaders headers;

    HttpRequest(HttpConnection connection, Inbound in, RequestBody body, InetSocketAddress remoteAddress) {
        this.connection = connection;
        this.in = in;
        this.head = in.head;
        this.body = body;
        this.remoteAddress = remoteAddress;
    }

    /**
     * The method, as sent ({@code "GET"}, {@code "POST"}, ...; methods are case-sensitive).
     *
     * @return the method
     */
    public String method() {
        connection.checkLive();
        return head.method;
    }

    /**
     * The request target as sent: {@code "/search?q=x"}, or an absolute URI, {@code "*"}, an authority for CONNECT.
     *
     * @return the request target
     */
    public String target() {
        connection.checkLive();
        if (target == null) {
            target = RequestHead.latin1(in.buf, head.targetStart, head.targetEnd);
        }
        return target;
    }

    /**
     * The target's path, percent-encoding kept as sent ({@code "/a%20b"}); {@code "/"} for an absolute URI
     * without one, {@code "*"} for {@code OPTIONS *}, the authority for CONNECT.
      *
      * @return the path
     */
    public String path() {
        connection.checkLive();
        if (path == null) {
            path = head.pathEnd == head.pathStart ? "/" : RequestHead.latin1(in.buf, head.pathStart, head.pathEnd);
        }
        return path;
    }

    /**
     * The query after '?', as sent; {@code null} when the target has none ({@code ""} for a bare '?').
     *
     * @return the query, or {@code null}
     */
    public String query() {
        connection.checkLive();
        if (query == null && head.queryStart >= 0) {
            query = RequestHead.latin1(in.buf, head.queryStart, head.targetEnd);
        }
        return query;
    }

    /**
     * {@code "HTTP/1.1"} or {@code "HTTP/1.0"}.
     *
     * @return the HTTP version
     */
    public String version() {
        connection.checkLive();
        return head.version == 11 ? "HTTP/1.1" : "HTTP/1.0";
    }

    /**
     * Every header field, read from the connection's buffer when asked.
     *
     * @return the header fields
     */
    public HttpHeaders headers() {
        connection.checkLive();
        if (headers == null) {
            headers = new HttpHeaders(connection, in);
        }
        return headers;
    }

    /**
     * The first value of the header {@code name} (any case), or {@code null} when absent.
     *
     * @param name a field name, any case
     * @return its first value, or {@code null}
     */
    public String header(String name) {
        connection.checkLive();
        int field = head.find(in.buf, name, 0);
        return field < 0 ? null : RequestHead.latin1(in.buf, head.valueStart(field), head.valueEnd(field));
    }

    /**
     * The body, decoded from Content-Length or chunked framing; empty when the request has none. The first read
     * that waits for the client sends {@code 100 Continue} when the client asked for it. What the handler leaves
     * unread is read and dropped after it returns (up to a limit; beyond it the connection closes).
      *
      * @return the body as a stream (the same one each time)
     */
    public InputStream body() {
        connection.checkLive();
        return body;
    }

    /**
     * The whole body (at most the server's {@code maxBodyBytes}, which a longer one fails with an {@link IOException}).
     *
     * @return the body's bytes
     * @throws IOException when the body is malformed or too long (the server answers 400 or 413 if the handler lets it
     *         through), or {@link java.net.SocketException} when the client went away
     */
    public byte[] bodyBytes() throws IOException {
        connection.checkLive();
        if (!head.chunked && head.contentLength >= 0) {
            if (head.contentLength > Integer.MAX_VALUE - 8) {
                throw new IOException("a body of " + head.contentLength + " bytes does not fit in an array; read body() instead");
            }
            return body.readNBytes((int) head.contentLength);
        }
        return body.readAllBytes();
    }

    /**
     * The client's address.
     *
     * @return the peer's address
     */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    boolean isHead() {
        return "HEAD".equals(head.method);
    }

    boolean upgradeRequested() {
        return head.upgradeRequested && head.version == 11;
    }

    boolean http11() {
        return head.version == 11;
    }

    RequestBody bodyStream() {
        return body;
    }

    @Override
    public String toString() {
        return connection.ended() ? "HttpRequest[over]" : "HttpRequest[" + connection.requestLine() + "]";
    }
}
