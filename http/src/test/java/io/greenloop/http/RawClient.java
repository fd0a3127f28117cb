package io.greenloop.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A blocking JDK socket that speaks HTTP by hand: sends exactly the bytes a test gives it, and reads responses
 * strictly (status line, fields, a body by Content-Length, chunked, or none), so that tests see the wire.
 * Used off the loop (see {@link OffLoop}).
 */
final class RawClient implements AutoCloseable {

    /** Generous: a loaded 2-core machine can stall a few seconds. */
    static final int READ_TIMEOUT_MILLIS = 20_000;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    record Response(int status, Map<String, List<String>> headers, byte[] body, boolean bodyCut) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    RawClient send(String request) throws IOException {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        return this;
    }

    /** Reads one response, the body framed as its head says. */
    Response read() throws IOException {
        return read(false);
    }

    /** Reads one response to a HEAD request (a head only, whatever its framing fields say). */
    Response readHead() throws IOException {
        return read(true);
    }

    private Response read(boolean toHead) throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        if (status == 100) {
            return new Response(status, headers, new byte[0], false);
        }
        Response head = new Response(status, headers, new byte[0], false);
        if (toHead || status == 204 || status == 304 || status == 101) {
            return head;
        }
        if ("chunked".equals(head.header("transfer-encoding"))) {
            return chunked(status, headers);
        }
        String length = head.header("content-length");
        if (length != null) {
            byte[] body = in.readNBytes(Integer.parseInt(length));
            return new Response(status, headers, body, body.length < Integer.parseInt(length));
        }
        return new Response(status, headers, in.readAllBytes(), false);
    }

    private Response chunked(int status, Map<String, List<String>> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            while (true) {
                String sizeLine = line();
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    return new Response(status, headers, body.toByteArray(), false);
                }
                byte[] chunk = in.readNBytes(size);
                body.write(chunk);
                if (chunk.length < size || !line().isEmpty()) {
                    return new Response(status, headers, body.toByteArray(), true);
                }
            }
        } catch (EOFException | SocketException e) {
            return new Response(status, headers, body.toByteArray(), true);
        }
    }

    /** A CRLF-terminated line, without it; a bare LF or CR fails. */
    String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended after \"" + line + "\"");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("a CR without LF after \"" + line + "\"");
                }
                return line.toString();
            }
            if (b == '\n') {
                throw new IOException("a bare LF after \"" + line + "\"");
            }
            line.append((char) b);
        }
    }

    /** Whether the server closed the connection (end of stream or reset) with nothing more to read, within the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Everything until the server closes. */
    byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
