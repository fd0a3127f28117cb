package io.greenloop.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The answer to one request. Set the status and headers, then commit once with {@link #send(byte[])},
 * {@link #send(String)}, {@link #body()} (streaming), {@link #sendFile(Path)} or {@link #upgrade(String)}. The
 * server writes the framing itself: {@code Content-Length} for a known length, chunked for a stream on
 * HTTP/1.1 (unless the handler set Content-Length), until the connection closes on HTTP/1.0; the {@code Date}
 * (cached per loop, unless the handler set one) and {@code Connection} fields. The response to {@code HEAD}
 * gets the head a {@code GET} would, without the body; 204 and 304 never carry one.
 *
 * <p>Response splitting is impossible: {@link #header} refuses CR, LF and NUL (and every other control
 * character but tab) in names and values. Valid until the handler returns; thread rule as
 * {@link HttpRequest}.
 */
public final class HttpResponse {

    private static final byte[] TEXT_PLAIN = "Content-Type: text/plain; charset=UTF-8\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "Connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Room for what the server adds to a head besides the status line and the handler's fields. */
    private static final int SERVER_FIELDS = 160;

    /*
     * OPEN --send/sendFile--> DONE;  OPEN --body()--> STREAMING --stream closed--> DONE;  OPEN --upgrade--> UPGRADED
     */
    private enum State { OPEN, STREAMING, DONE, UPGRADED }

    private final HttpConnection connection;
    private final HttpRequest request;
    private int status = 200;
    private List<String> fields;
    private long contentLength = -1;
    private boolean contentTypeSet;
    /** send(String) without a Content-Type: the head says text/plain in UTF-8. */
    private boolean textPlain;
    private boolean dateSet;
    private boolean closeAsked;
    private State state = State.OPEN;
    private ResponseBody stream;
    private boolean closeAfter;
    private boolean broken;

    HttpResponse(HttpConnection connection, HttpRequest request) {
        this.connection = connection;
        this.request = request;
    }

    /**
     * Sets the status, 200 to 599 (100 Continue and 101 are the server's: see {@link #upgrade}); before committing.
     *
     * @param code the status
     * @return this response
     * @throws IllegalArgumentException for a code outside 200 to 599
     * @throws IllegalStateException after the response was committed
     */
    public HttpResponse status(int code) {
        checkOpen("status");
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("status " + code + " is not one a handler sends; use 200 to 599"
                    + " (the server sends 100 Continue itself, and upgrade() sends 101)");
        }
        status = code;
        return this;
    }

    /**
     * Adds a header field; before committing. {@code Content-Length} sets the length of a streamed body;
     * {@code Connection: close} closes the connection after this response (the server writes the
     * {@code Connection} field itself); {@code Transfer-Encoding} is the server's to choose and refused.
     *
     * @throws IllegalArgumentException when the name is not a token, or either holds CR, LF, NUL, another
     *                                  control character but tab, or a character beyond Latin-1
      *
      * @param name  the field name, a token
      * @param value the field value
      * @return this response
      * @throws IllegalStateException after the response was committed
     */
    public HttpResponse header(String name, String value) {
        checkOpen("header");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        checkName(name);
        checkValue(name, value);
        switch (name.toLowerCase(Locale.ROOT)) {
            case "content-length" -> {
                contentLength = parseLength(value);
                return this;
            }
            case "transfer-encoding" -> throw new IllegalArgumentException("the server frames the body itself: set"
                    + " Content-Length, or stream with body() (chunked on HTTP/1.1)");
            case "connection" -> {
                connectionField(value);
                return this;
            }
            case "date" -> dateSet = true;
            case "content-type" -> contentTypeSet = true;
            default -> { }
        }
        if (fields == null) {
            fields = new ArrayList<>(8);
        }
        fields.add(name);
        fields.add(value);
        return this;
    }

    private static void checkName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("a header name must not contain CR, LF or NUL: " + printable(name));
            }
        }
        if (!Ascii.isToken(name)) {
            throw new IllegalArgumentException("a header name must be a token (letters, digits, !#$%&'*+-.^_`|~): " + printable(name));
        }
    }

    private static void checkValue(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException("the value of header " + name + " must not contain CR, LF or NUL"
                        + " (that would split the response): " + printable(value));
            }
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new IllegalArgumentException("the value of header " + name + " holds a control character: " + printable(value));
            }
            if (c > 0xFF) {
                throw new IllegalArgumentException("the value of header " + name + " holds a character beyond Latin-1;"
                        + " encode it first (percent-encoding, or RFC 8187 for parameters): " + printable(value));
            }
        }
    }

    private static String printable(String s) {
        return '"' + s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0") + '"';
    }

    private static long parseLength(String value) {
        try {
            long length = Long.parseLong(value.trim());
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("Content-Length must be a number of bytes, 0 or more, not \"" + value + "\"");
    }

    private void connectionField(String value) {
        for (String option : value.split(",")) {
            String token = option.trim().toLowerCase(Locale.ROOT);
            if (token.equals("close")) {
                closeAsked = true;
            } else if (!token.equals("keep-alive") && !token.isEmpty()) {
                throw new IllegalArgumentException("Connection: " + value + " is not a response header a handler sets;"
                        + " \"close\" closes the connection after the response, upgrade() switches protocols");
            }
        }
    }

    /**
     * Sends {@code body} with its Content-Length, committing and completing the response.
     *
     * @param body the content
     * @throws IOException when the client went away ({@link java.net.SocketException})
     * @throws IllegalArgumentException for a non-empty body with 204 or 304
     * @throws IllegalStateException when committed already, or when a Content-Length header disagrees
     */
    public void send(byte[] body) throws IOException {
        Objects.requireNonNull(body, "body");
        checkOpen("send");
        boolean bodyless = Status.forbidsBody(status);
        if (bodyless && body.length > 0) {
            throw new IllegalArgumentException("a " + status + " response carries no body; send an empty one");
        }
        if (contentLength >= 0 && contentLength != body.length && !bodyless) {
            throw new IllegalStateException("the Content-Length header says " + contentLength + " but the body has "
                    + body.length + " bytes");
        }
        state = State.DONE;
        writeHead(bodyless ? bodylessFraming() : ResponseBody.Framing.LENGTH, body.length, false);
        if (!bodyless && !isHead()) {
            connection.wire.write(body, 0, body.length);
        }
    }

    /**
     * Sends {@code body} in UTF-8, as {@code text/plain; charset=UTF-8} unless a Content-Type was set.
     *
     * @param body the content, sent in UTF-8
     * @throws IOException when the client went away ({@link java.net.SocketException})
     */
    public void send(String body) throws IOException {
        Objects.requireNonNull(body, "body");
        checkOpen("send");
        textPlain = !contentTypeSet;
        send(body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Commits the head and returns the body stream: chunked on HTTP/1.1 unless Content-Length was set, until
     * the connection closes on HTTP/1.0; {@code close()} completes the response (the server closes it after the
     * handler otherwise). Calling it again returns the same stream.
      *
      * @return the body stream
      * @throws IOException when the client went away ({@link java.net.SocketException})
     */
    public OutputStream body() throws IOException {
        if (stream != null) {
            checkLive();
            return stream;
        }
        checkOpen("body");
        ResponseBody.Framing framing;
        if (Status.forbidsBody(status)) {
            framing = bodylessFraming();
        } else if (contentLength >= 0) {
            framing = ResponseBody.Framing.LENGTH;
        } else {
            framing = http11() ? ResponseBody.Framing.CHUNKED : ResponseBody.Framing.CLOSE_DELIMITED;
        }
        state = State.STREAMING;
        writeHead(framing, contentLength, false);
        ResponseBody.Framing streamed = Status.forbidsBody(status) ? ResponseBody.Framing.NONE
                : isHead() ? ResponseBody.Framing.DISCARD : framing;
        stream = new ResponseBody(this, connection.wire, streamed, contentLength);
        return stream;
    }

    /**
     * Sends a file with its length as Content-Length: with {@code sendfile(2)} on a plain connection where the
     * transport can, so the bytes never enter the Java heap; read and encrypted in pieces on TLS. Reading the
     * file blocks the loop's thread while the disk is slow (page-cache hits do not). Set Content-Type first.
      *
      * @param file the file to send
      * @throws IOException when the file cannot be read, or the client went away
      * @throws IllegalStateException when committed already, for 204 or 304, or when a Content-Length header disagrees
     */
    public void sendFile(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        checkOpen("sendFile");
        if (Status.forbidsBody(status)) {
            throw new IllegalStateException("a " + status + " response carries no body, so no file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (contentLength >= 0 && contentLength != size) {
                throw new IllegalStateException("the Content-Length header says " + contentLength + " but " + file
                        + " has " + size + " bytes");
            }
            state = State.DONE;
            writeHead(ResponseBody.Framing.LENGTH, size, false);
            if (!isHead()) {
                connection.sendFile(channel, size, file);
            }
        }
    }

    /**
     * Answers {@code 101 Switching Protocols} to {@code protocol} (which the client must have asked for with an
     * {@code Upgrade} header on HTTP/1.1) and hands over the raw connection; the handler's return closes it.
      *
      * @param protocol the protocol switched to, as the client named it in its {@code Upgrade} header
      * @return the raw connection
      * @throws IOException when the client went away
      * @throws IllegalStateException when the client did not ask to upgrade, or its body was not read
     */
    public HttpUpgrade upgrade(String protocol) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        checkOpen("upgrade");
        if (!Ascii.isToken(protocol.replace("/", ""))) {
            throw new IllegalArgumentException("\"" + protocol + "\" is not a protocol name (a token, optionally /version)");
        }
        if (!request.upgradeRequested()) {
            throw new IllegalStateException("the client did not ask to upgrade (an Upgrade header on an HTTP/1.1 request)");
        }
        if (!request.bodyStream().done()) {
            throw new IllegalStateException("read the request body before upgrading the connection");
        }
        header("Upgrade", protocol);
        state = State.UPGRADED;
        status = 101;
        writeHead(ResponseBody.Framing.NONE, -1, true);
        connection.wire.flush();
        return connection.upgraded();
    }

    /**
     * The server's own answer (a refused request, a handler's failure): {@code text} as text/plain, in a
     * response of its own whatever the handler had set. Returns whether the connection may go on.
     */
    static boolean sendError(HttpConnection connection, HttpRequest request, int status, String text, boolean close)
            throws IOException {
        HttpResponse error = new HttpResponse(connection, request);
        error.status = status;
        error.textPlain = true;
        error.closeAsked = close;
        error.state = State.DONE;
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        error.writeHead(ResponseBody.Framing.LENGTH, bytes.length, false);
        if (!error.isHead()) {
            connection.wire.write(bytes, 0, bytes.length);
        }
        return !error.closeAfter;
    }

    /**
     * Whether the head has been sent (or queued): status and headers can no longer change.
     *
     * @return whether the head is committed
     */
    public boolean committed() {
        return state != State.OPEN;
    }

    /** 304 may say the length a 200 would have had (RFC 9110 section 8.6); 1xx and 204 say nothing. */
    private ResponseBody.Framing bodylessFraming() {
        return status == 304 && contentLength >= 0 ? ResponseBody.Framing.LENGTH : ResponseBody.Framing.NONE;
    }

    private void writeHead(ResponseBody.Framing framing, long length, boolean upgrading) throws IOException {
        if (status == 204 && contentLength >= 0) {
            throw new IllegalStateException("a 204 response must not have a Content-Length");
        }
        closeAfter = !upgrading && (connection.mustClose(closeAsked) || framing == ResponseBody.Framing.CLOSE_DELIMITED && !isHead());
        Outbound out = connection.wire.reserve(headSize());
        out.put(Status.line(status));
        if (fields != null) {
            for (int i = 0; i < fields.size(); i += 2) {
                out.putLatin1(fields.get(i));
                out.putColonSpace();
                out.putLatin1(fields.get(i + 1));
                out.putCrlf();
            }
        }
        if (textPlain) {
            out.put(TEXT_PLAIN);
        }
        if (!dateSet) {
            out.put(connection.server.resources.date.line());
        }
        writeFraming(out, framing, length, upgrading);
        out.putCrlf();
        connection.server.counters.responded(status);
    }

    private void writeFraming(Outbound out, ResponseBody.Framing framing, long length, boolean upgrading) {
        if (framing == ResponseBody.Framing.LENGTH) {
            out.put(CONTENT_LENGTH);
            out.putDecimal(length);
            out.putCrlf();
        } else if (framing == ResponseBody.Framing.CHUNKED) {
            out.put(CHUNKED);
        }
        if (upgrading) {
            out.putLatin1("Connection: Upgrade\r\n");
        } else if (closeAfter) {
            out.put(CLOSE);
        } else if (!http11()) {
            out.put(KEEP_ALIVE);
        }
    }

    private int headSize() {
        int size = Status.line(status).length + SERVER_FIELDS;
        if (fields != null) {
            for (String field : fields) {
                size += field.length() + 2;
            }
        }
        return size;
    }

    /**
     * After the handler returned: completes what it left open (an empty response in its status, or the stream's
     * end). Returns whether the connection may carry another request.
     */
    boolean finish() throws IOException {
        switch (state) {
            case OPEN -> {
                if (contentLength > 0 && !isHead() && !Status.forbidsBody(status)) {
                    throw new IllegalStateException("the handler set Content-Length: " + contentLength
                            + " and returned without sending a body");
                }
                state = State.DONE;
                writeHead(Status.forbidsBody(status) ? bodylessFraming() : ResponseBody.Framing.LENGTH,
                        Math.max(contentLength, 0), false);
            }
            case STREAMING -> stream.close();
            case DONE, UPGRADED -> { }
        }
        return state != State.UPGRADED && !closeAfter && !broken;
    }

    private boolean isHead() {
        return request != null && request.isHead();
    }

    /** A refused request that could not be parsed is answered as HTTP/1.1. */
    private boolean http11() {
        return request == null || request.http11();
    }

    int statusCode() {
        return status;
    }

    void bodyClosed() {
        state = State.DONE;
    }

    /** The body was cut short of its framing: the connection must close after it. */
    void broken() {
        broken = true;
    }

    void checkLive() {
        connection.checkLive();
    }

    private void checkOpen(String operation) {
        connection.checkLive();
        if (state != State.OPEN) {
            throw new IllegalStateException(operation + "() after the response was committed (" + state.name().toLowerCase(Locale.ROOT)
                    + "); set the status and headers first, and send once");
        }
    }

    @Override
    public String toString() {
        return "HttpResponse[" + status + ", " + state + "]";
    }
}
