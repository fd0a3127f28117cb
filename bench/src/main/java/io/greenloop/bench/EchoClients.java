package io.greenloop.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The clients that drive every echo server the same way, so that only the server differs between the
 * rows of a socket benchmark: a blocking {@link Socket} on the JMH thread for the round trip, and a
 * one-thread Netty client (epoll where available) keeping one message in flight on each of many
 * connections for the throughput.
 */
final class EchoClients {

    /** The message size. */
    static final int MESSAGE = 64;
    private static final byte[] PAYLOAD = payload();
    /** How long one batch may take before the benchmark gives up instead of hanging. */
    private static final long BATCH_TIMEOUT_SECONDS = 60;

    private EchoClients() {
    }

    private static byte[] payload() {
        byte[] bytes = new byte[MESSAGE];
        for (int i = 0; i < MESSAGE; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    /** One connection; {@link #roundTrip()} writes a message and reads its echo, blocking the caller. */
    static final class Blocking implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] echo = new byte[MESSAGE];

        Blocking(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        /** Sends {@value #MESSAGE} bytes and waits for all of them to come back. */
        byte[] roundTrip() throws IOException {
            out.write(PAYLOAD);
            if (in.readNBytes(echo, 0, MESSAGE) != MESSAGE) {
                throw new IOException("the echo server closed the connection mid-message");
            }
            return echo;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Many connections on one Netty event loop thread; {@link #run(int)} echoes a batch on every one at once. */
    static final class Load implements AutoCloseable {
        private final MultiThreadIoEventLoopGroup group;
        private final List<Connection> connections = new ArrayList<>();

        Load(int port, int connectionCount) throws InterruptedException {
            String transport = NettyPeers.available().getFirst();
            group = NettyPeers.oneThread(transport);
            Bootstrap bootstrap = new Bootstrap().group(group).channel(NettyPeers.clientChannel(transport))
                    .option(ChannelOption.TCP_NODELAY, true);
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            try {
                for (int i = 0; i < connectionCount; i++) {
                    Connection connection = new Connection();
                    // Published to the event loop thread by the execute() in run().
                    connection.channel = bootstrap.handler(connection).connect(server).sync().channel();
                    connections.add(connection);
                }
            } catch (InterruptedException | RuntimeException e) {
                NettyPeers.shutdown(group);
                throw e;
            }
        }

        /** Does {@code rounds} round trips on every connection, one message in flight on each; waits for all. */
        void run(int rounds) throws InterruptedException {
            CountDownLatch finished = new CountDownLatch(connections.size());
            group.next().execute(() -> connections.forEach(c -> c.start(rounds, finished)));
            if (!finished.await(BATCH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(finished.getCount() + " connections did not finish their batch within "
                        + BATCH_TIMEOUT_SECONDS + " s");
            }
        }

        @Override
        public void close() {
            NettyPeers.shutdown(group);
        }
    }

    /** One client connection's state; after set-up, touched only on the client's event loop thread. */
    private static final class Connection extends ChannelInboundHandlerAdapter {
        private Channel channel;
        private int roundsLeft;
        private int received;
        private CountDownLatch finished;

        void start(int rounds, CountDownLatch finished) {
            this.roundsLeft = rounds;
            this.finished = finished;
            send();
        }

        private void send() {
            channel.writeAndFlush(channel.alloc().buffer(MESSAGE).writeBytes(PAYLOAD));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ByteBuf bytes = (ByteBuf) message;
            received += bytes.readableBytes();
            bytes.release();
            while (received >= MESSAGE) {
                received -= MESSAGE;
                if (--roundsLeft > 0) {
                    send();
                } else {
                    finished.countDown();
                }
            }
        }
    }
}
