package io.greenloop.net;

import io.greenloop.AsyncResult;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.Ticker;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * Run by {@link DnsTest} in a fresh JVM: the JDK loads its resolver provider on the first lookup, and
 * here that first lookup is {@code new Socket("localhost", port)} inside a greenlet, while the lookup
 * pool is busy. It must not recurse or deadlock, must wait for the pool without holding the loop, and
 * must then connect.
 */
public final class DnsProbe {

    private DnsProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> DnsTest.answerEachWithOneByte(server));
            Loop loop = Loop.open();
            List<AsyncResult<Void>> blockers = DnsTest.fillTheLookupPool();
            Ticker ticker = Ticker.start(Duration.ofMillis(10));
            long start = System.nanoTime();
            Greenlet<Integer> client = Green.spawn(() -> {
                try (Socket socket = new Socket("localhost", server.getLocalPort())) {
                    return socket.getInputStream().read();
                }
            });
            int answer = client.get();
            long waited = (System.nanoTime() - start) / 1_000_000;
            ticker.stop();
            Green.waitAll(blockers, Duration.ofSeconds(5));
            loop.close();
            boolean ok = answer == 42 && waited >= 300 && ticker.ticks() >= 10;
            System.out.println("first lookup in a greenlet: " + (ok ? "ok" : "FAILED")
                    + " (answer " + answer + ", waited " + waited + " ms, " + ticker + ")");
            System.exit(ok ? 0 : 1);
        }
    }
}
