package io.greenloop.net;

import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.Ticker;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

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
            HeldLookupPool held = HeldLookupPool.holdDns();
            Ticker ticker = Ticker.start(Duration.ofMillis(10));
            Greenlet<Integer> client = Green.spawn(() -> {
                try (Socket socket = new Socket("localhost", server.getLocalPort())) {
                    return socket.getInputStream().read();
                }
            });
            // By cause, not by a fixed busy time: the pool is let go only after the loop ticked 10 times.
            Greenlet<Boolean> releaser = held.releaseAfterTicks(ticker, 10, client);
            int answer = client.get();
            boolean waitedForThePool = releaser.get();
            ticker.stop();
            held.releaseAndAwaitEnd();
            loop.close();
            boolean ok = answer == 42 && waitedForThePool && ticker.ticks() >= 10;
            System.out.println("first lookup in a greenlet: " + (ok ? "ok" : "FAILED")
                    + " (answer " + answer + ", still waiting for the pool after 10 ticks: " + waitedForThePool + ", " + ticker + ")");
            System.exit(ok ? 0 : 1);
        }
    }
}
