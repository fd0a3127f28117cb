package io.greenloop.bench;

import io.greenloop.LoopGroup;
import io.greenloop.net.TcpSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A greenloop server on a one-loop {@link LoopGroup} that answers each one-byte request with whatever
 * {@link Response} writes, and the blocking JDK client on the JMH thread that sends a request and reads
 * the whole answer: the write paths of {@code GatheringWriteBenchmark} and {@code TransferFromBenchmark}
 * differ only in the {@link Response}. Not thread-safe: one JMH thread per instance.
 */
final class RequestResponsePeer implements AutoCloseable {

    /** How a server answers one request; runs in the connection's greenlet. */
    @FunctionalInterface
    interface Response {
        void write(TcpSocket socket) throws IOException;
    }

    private static final int READ_CHUNK = 64 * 1024;

    private final LoopGroup group;
    private final Socket client;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] chunk = new byte[READ_CHUNK];

    RequestResponsePeer(String transport, Response response) throws IOException {
        group = LoopGroup.start(1, transport);
        try {
            InetSocketAddress address = group.serve(new InetSocketAddress("127.0.0.1", 0), (socket, peer) -> {
                byte[] request = new byte[1];
                while (socket.read(request, 0, 1) > 0) {
                    response.write(socket);
                }
            });
            client = new Socket(address.getAddress(), address.getPort());
            client.setTcpNoDelay(true);
            in = client.getInputStream();
            out = client.getOutputStream();
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** Sends one request and reads {@code responseBytes} bytes of answer; returns the last byte, for JMH to consume. */
    int request(long responseBytes) throws IOException {
        out.write(1);
        long left = responseBytes;
        int last = 0;
        while (left > 0) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new IOException("the server closed with " + left + " bytes of the answer missing");
            }
            left -= n;
            last = chunk[n - 1];
        }
        return last;
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            group.close();
        }
    }
}
