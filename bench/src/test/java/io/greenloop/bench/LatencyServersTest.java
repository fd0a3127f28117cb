package io.greenloop.bench;

import io.greenloop.Loop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The latency benchmark's servers and load generator on real loopback sockets, in this JVM (no child processes). */
class LatencyServersTest {

    @Test
    void greenloopAndNettyHelloServersAnswerSplitAndPipelinedRequestsAlike() throws Exception {
        try (EchoPeers.Running greenloop = EchoPeers.greenloop("nio", HelloHttpServer::serve);
             EchoPeers.Running netty = EchoPeers.netty("nio", NettyHelloServer.HelloHandler::new)) {
            assertArrayEquals(RequestFraming.responses(3), exchangeThreeRequests(greenloop.port()));
            assertArrayEquals(RequestFraming.responses(3), exchangeThreeRequests(netty.port()));
        }
    }

    /** The low-latency peers: greenloop spinning and backing off, Netty busy-waiting; each answers as the others do. */
    @Test
    void spinningAndBusyWaitingServersAnswerSplitAndPipelinedRequestsAlike() throws Exception {
        assumeTrue(Loop.availableTransports().contains("epoll") && NettyPeers.available().contains("epoll"), "no epoll here");
        Loop.Options epoll = Loop.Options.defaults().withTransport("epoll");
        try (EchoPeers.Running spin = EchoPeers.greenloop(epoll.withIdleStrategy(LatencyServer.idleStrategy("greenloop-spin")),
                HelloHttpServer::serve)) {
            assertArrayEquals(RequestFraming.responses(3), exchangeThreeRequests(spin.port()));
        }
        try (EchoPeers.Running backoff = EchoPeers.greenloop(epoll.withIdleStrategy(LatencyServer.BACKOFF), HelloHttpServer::serve)) {
            assertArrayEquals(RequestFraming.responses(3), exchangeThreeRequests(backoff.port()));
        }
        try (EchoPeers.Running busyWait = EchoPeers.netty(NettyPeers.oneBusyWaitThread(), "epoll", NettyHelloServer.HelloHandler::new)) {
            assertArrayEquals(RequestFraming.responses(3), exchangeThreeRequests(busyWait.port()));
        }
    }

    /** Sends three requests, the first split inside its terminator and the other two in one write; reads three answers. */
    private static byte[] exchangeThreeRequests(int port) throws Exception {
        byte[] request = RequestFraming.REQUEST;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            out.write(request, 0, request.length - 2);
            out.flush();
            Thread.sleep(50);  // so that the server's first read most likely ends inside the terminator
            byte[] rest = new byte[2 + 2 * request.length];
            System.arraycopy(request, request.length - 2, rest, 0, 2);
            System.arraycopy(request, 0, rest, 2, request.length);
            System.arraycopy(request, 0, rest, 2 + request.length, request.length);
            out.write(rest);
            out.flush();
            return socket.getInputStream().readNBytes(3 * RequestFraming.RESPONSE.length);
        }
    }

    @Test
    void openLoopRunAnswersEveryRequestItSentAndRecordsEachOnce() throws Exception {
        MultiThreadIoEventLoopGroup clientLoop = NettyPeers.oneThread("nio");
        try (EchoPeers.Running server = EchoPeers.greenloop("nio");
             OpenLoopClient client = new OpenLoopClient(clientLoop, "nio", server.port(), 4, new byte[64], 64)) {
            double rate = 200;
            OpenLoopClient.Result result = client.openLoop(rate, Duration.ofMillis(200), Duration.ofMillis(500));
            // 100 requests are due in the measured half second (200/s); a slow machine answers late, not fewer.
            assertEquals(0, result.unanswered());
            assertTrue(Math.abs(result.answered() - 100) <= 1, "answered " + result.answered());
            assertEquals(result.answered(), result.latency().getTotalCount());
            assertTrue(result.lateness().getTotalCount() > 0, "the pacer's lateness was not recorded");
            assertTrue(client.closedLoop(Duration.ofMillis(200)) > 0, "closed loop got no answers");
        } finally {
            NettyPeers.shutdown(clientLoop);
        }
    }
}
