package io.greenloop.http;

import java.nio.charset.StandardCharsets;

/**
 * Status lines, made once per code: "HTTP/1.1 200 OK\r\n" as bytes. A server answers in its own version,
 * HTTP/1.1, to HTTP/1.0 requests as well (RFC 9110 section 6.2).
 */
final class Status {

    private static final byte[][] LINES = new byte[600][];

    static {
        for (int code = 100; code < LINES.length; code++) {
            LINES[code] = ("HTTP/1.1 " + code + " " + reason(code) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private Status() {
    }

    /** The status line of {@code code} (100 to 599), CRLF included. */
    static byte[] line(int code) {
        return LINES[code];
    }

    /** The reason phrase of RFC 9110 section 15, or "" for a code it does not name (the phrase is optional). */
    static String reason(int code) {
        return switch (code) {
            case 100 -> "Continue";
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 203 -> "Non-Authoritative Information";
            case 204 -> "No Content";
            case 205 -> "Reset Content";
            case 206 -> "Partial Content";
            case 300 -> "Multiple Choices";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 407 -> "Proxy Authentication Required";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Range Not Satisfiable";
            case 417 -> "Expectation Failed";
            case 421 -> "Misdirected Request";
            case 422 -> "Unprocessable Content";
            case 426 -> "Upgrade Required";
            case 428 -> "Precondition Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }

    /** Whether a response with {@code code} never carries content (RFC 9110 sections 6.4.1, 15.3.5, 15.4.5). */
    static boolean forbidsBody(int code) {
        return code < 200 || code == 204 || code == 304;
    }
}
