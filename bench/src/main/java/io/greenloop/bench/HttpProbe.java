package io.greenloop.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 client for checking and sizing the hello peers: it sends {@link RequestFraming#REQUEST}
 * (pipelined when asked for more than one) and reads each response by its {@code Content-Length}, the framing every
 * peer uses for its fixed body. Not a general client: no chunked bodies, no redirects.
 */
final class HttpProbe {

    /** A response head larger than this is not a hello's: the peer is broken. */
    private static final int MAX_HEAD_BYTES = 8192;
    /** How long a read may wait for a peer's answer. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private HttpProbe() {
    }

    /** Opens a connection to 127.0.0.1:{@code port}, sends {@code count} requests in one write, and reads {@code count} responses. */
    static List<byte[]> responses(int port, int count) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(RequestFraming.repeated(RequestFraming.REQUEST, count));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<byte[]> responses = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                responses.add(readResponse(in));
            }
            return responses;
        }
    }

    /** A connected socket to 127.0.0.1:{@code port}, with Nagle off and a read timeout. */
    static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    /** Reads one response: the head up to its blank line, then exactly {@code Content-Length} bytes of body. */
    static byte[] readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        RequestFraming headEnd = new RequestFraming();  // a response head ends at \r\n\r\n, as a request head does
        byte[] one = new byte[1];
        for (boolean headDone = false; !headDone; ) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed inside a response head after " + response.size() + " bytes: "
                        + response.toString(StandardCharsets.ISO_8859_1));
            }
            one[0] = (byte) b;
            response.write(b);
            headDone = headEnd.completedRequests(one, 0, 1) == 1;
            if (response.size() > MAX_HEAD_BYTES) {
                throw new IOException("a response head over " + MAX_HEAD_BYTES + " bytes: not a hello's");
            }
        }
        int length = contentLength(response.toString(StandardCharsets.ISO_8859_1));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("the connection closed after " + body.length + " of " + length + " body bytes");
        }
        response.write(body);
        return response.toByteArray();
    }

    private static int contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        throw new IOException("a response without Content-Length (the hello peers all send one):\n" + head);
    }

    /** The status code of a response's status line. */
    static int status(byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        return Integer.parseInt(text.substring(text.indexOf(' ') + 1, text.indexOf(' ') + 4));
    }

    /** A response's body: what follows its head's blank line. */
    static String body(byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        return text.substring(text.indexOf("\r\n\r\n") + 4);
    }
}
