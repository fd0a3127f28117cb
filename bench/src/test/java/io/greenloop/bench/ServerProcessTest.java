package io.greenloop.bench;

import io.greenloop.Loop;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A benchmark server in a child JVM, frozen and thawed as {@link LatencyBenchmark} does with a spinning one while
 * another server is measured: frozen, the kernel shows it stopped and it uses no CPU; thawed, it answers again.
 */
class ServerProcessTest {

    @Test
    void aPausedSpinningServerIsStoppedAndUsesNoCpuAndAnswersOnceResumed() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "reads the server's state from /proc");
        String transport = Loop.availableTransports().contains("epoll") ? "epoll" : "nio";
        List<String> flags = LatencyBenchmark.JVM_FLAGS;
        try (ServerProcess server = ServerProcess.start("greenloop-spin", transport, ServerProcess.javaCommand(flags,
                LatencyServer.class.getName(), List.of("echo", "greenloop-spin", transport, "120")))) {
            server.pause();
            long end = System.nanoTime() + 10_000_000_000L;
            while (!state(server).equals("T") && System.nanoTime() - end < 0) {
                Thread.sleep(1);  // the stop is delivered asynchronously, within microseconds
            }
            assertEquals("T", state(server), "SIGSTOP: stopped");
            long cpu = server.cpuNanos();
            Thread.sleep(300);  // a spinning loop would use most of this, if it ran
            assertEquals(cpu, server.cpuNanos(), "a frozen server uses no CPU");
            server.resume();
            assertNotEquals("T", state(server), "SIGCONT: running again");
            assertArrayEquals(new byte[] {1, 2, 3}, echo(server.port(), new byte[] {1, 2, 3}));
        }
    }

    /** The process state letter of {@code /proc/PID/stat} (R running, S sleeping, T stopped, ...). */
    private static String state(ServerProcess server) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(server.pid()), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    private static byte[] echo(int port, byte[] message) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(message);
            return socket.getInputStream().readNBytes(message.length);
        }
    }
}
