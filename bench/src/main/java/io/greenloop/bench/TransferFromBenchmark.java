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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A {@value #FILE_BYTES}-byte file (64 MiB, in the page cache after the first operation) sent by greenloop
 * with {@code TcpSocket.transferFrom} ({@code transferFrom}: {@code sendfile(2)}, the bytes never enter
 * the JVM) against a loop of {@code FileChannel.read} into a 64 KiB direct buffer and {@code write}
 * ({@code readWrite}), per transport. One operation is one request and the whole file read by a blocking
 * JDK client on the JMH thread, whose reading is in every row.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {ForkFlags.ADD_OPENS, ForkFlags.JAVA_LANG, ForkFlags.NATIVE_ACCESS, ForkFlags.HEAP_MIN, ForkFlags.HEAP_MAX})
public class TransferFromBenchmark {

    static final int FILE_BYTES = 64 << 20;
    static final int COPY_BUFFER_BYTES = 64 << 10;

    /** The file, the server sending it one way or the other, and its client. */
    @State(Scope.Thread)
    public static class Peer {
        @Param({"epoll", "nio"})
        String transport;
        @Param({"transferFrom", "readWrite"})
        String send;

        Path path;
        FileChannel file;
        RequestResponsePeer peer;

        @Setup(Level.Trial)
        public void start() throws IOException {
            path = Files.createTempFile("greenloop-transfer", ".bin");
            try (FileChannel out = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                for (int written = 0; written < FILE_BYTES; written += chunk.capacity()) {
                    out.write(chunk.clear());
                }
            }
            file = FileChannel.open(path, StandardOpenOption.READ);
            ByteBuffer copy = ByteBuffer.allocateDirect(COPY_BUFFER_BYTES);
            boolean sendfile = send.equals("transferFrom");
            peer = new RequestResponsePeer(transport, socket -> {
                if (sendfile) {
                    socket.transferFrom(file, 0, FILE_BYTES);
                    return;
                }
                for (long position = 0; position < FILE_BYTES; ) {
                    position += file.read(copy.clear(), position);
                    socket.write(copy.flip());
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            try {
                peer.close();
                file.close();
            } finally {
                Files.deleteIfExists(path);
            }
        }
    }

    @Benchmark
    public int file(Peer state) throws IOException {
        return state.peer.request(FILE_BYTES);
    }
}
