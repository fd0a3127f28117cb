package io.greenloop.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A response of two buffers, a {@value #HEADER_BYTES}-byte header and a {@value #BODY_BYTES}-byte body
 * (both direct, as a server keeps them), sent by greenloop with one gathering
 * {@code TcpSocket.write(ByteBuffer...)} ({@code gathering}: one {@code writev}) against two
 * {@code write} calls ({@code twoWrites}: two syscalls and, with {@code TCP_NODELAY}, two segments), per
 * transport. One operation is one request (one byte from a blocking JDK client) and its whole response.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class GatheringWriteBenchmark {

    static final int HEADER_BYTES = 128;
    static final int BODY_BYTES = 1024;

    /** The server, answering with one gathering write or two writes, and its client. */
    @State(Scope.Thread)
    public static class Peer {
        @Param({"epoll", "nio"})
        String transport;
        @Param({"gathering", "twoWrites"})
        String writes;

        RequestResponsePeer peer;

        @Setup(Level.Trial)
        public void start() throws IOException {
            ByteBuffer header = direct("HTTP/1.1 200 OK\r\nContent-Length: " + BODY_BYTES + "\r\n", HEADER_BYTES);
            ByteBuffer body = direct("", BODY_BYTES);
            boolean gathering = writes.equals("gathering");
            peer = new RequestResponsePeer(transport, socket -> {
                ByteBuffer h = header.duplicate();
                ByteBuffer b = body.duplicate();
                if (gathering) {
                    socket.write(h, b);
                } else {
                    socket.write(h);
                    socket.write(b);
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            peer.close();
        }
    }

    private static ByteBuffer direct(String start, int length) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        buffer.put(start.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
            buffer.put((byte) 'x');
        }
        return buffer.flip().asReadOnlyBuffer();
    }

    @Benchmark
    public int response(Peer state) throws IOException {
        return state.peer.request(HEADER_BYTES + BODY_BYTES);
    }
}
