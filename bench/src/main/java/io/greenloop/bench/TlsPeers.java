package io.greenloop.bench;

import io.greenloop.Loop;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;
import io.greenloop.net.TlsSocket;
import io.greenloop.tour.SelfSignedTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The two TLS stacks of {@link TlsBenchmark}, each with its client and its server on one thread and both on
 * the same JDK {@link SSLEngine}s (TLS 1.3, an EC P-256 certificate made at run time, client engines made
 * without a peer host so every handshake is a full one, no resumption): greenloop's {@link TlsSocket} and
 * {@link StreamServer#tls} on a loop the JMH thread owns, and Netty's {@link SslHandler} on a one-thread
 * event loop group. The server side of both is a sink that answers one byte per {@link #BATCH} records.
 */
final class TlsPeers {

    /** The record size measured: a full TLS record of application data. */
    static final int RECORD = 16 * 1024;
    /** Records per acknowledgement (1 MiB): the unit the JMH thread waits for. */
    static final int BATCH = 64;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TlsPeers() {
    }

    static SSLEngine clientEngine(SSLContext context) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        return engine;
    }

    static SSLEngine serverEngine(SSLContext context) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    /** greenloop: a loop owned by the calling thread (the JMH thread), its TLS server and one open client connection. */
    static final class Greenloop implements AutoCloseable {
        private final Loop loop;
        private final SelfSignedTls keys;
        private final StreamServer server;
        private final TlsSocket stream;
        private final byte[] record = new byte[RECORD];
        private final byte[] ack = new byte[1];

        Greenloop(String transport) throws Exception {
            loop = Loop.open(transport);
            keys = SelfSignedTls.localhost();
            server = StreamServer.tls(new InetSocketAddress("127.0.0.1", 0), () -> serverEngine(keys.server()),
                    Greenloop::sink, StreamServer.Options.defaults());
            server.start();
            stream = connect();
        }

        private TlsSocket connect() throws IOException {
            TlsSocket socket = TlsSocket.of(TcpSocket.connect(server.address(), TIMEOUT), clientEngine(keys.client()));
            socket.setTimeout(TIMEOUT);
            socket.handshake();
            return socket;
        }

        private static void sink(TlsSocket socket, InetSocketAddress peer) throws IOException {
            byte[] buffer = new byte[RECORD];
            long received = 0;
            for (int n; (n = socket.read(buffer, 0, buffer.length)) > 0; ) {
                received += n;
                if (received >= (long) BATCH * RECORD) {
                    received -= (long) BATCH * RECORD;
                    socket.write(buffer, 0, 1);
                }
            }
        }

        /** One full handshake on a new connection, then close_notify. */
        void handshake() throws IOException {
            connect().close();
        }

        /** {@link #BATCH} records of {@link #RECORD} bytes, then the server's acknowledgement. */
        void batch() throws IOException {
            for (int i = 0; i < BATCH; i++) {
                stream.write(record, 0, RECORD);
            }
            if (stream.read(ack, 0, 1) != 1) {
                throw new IOException("the greenloop TLS sink closed the connection");
            }
        }

        @Override
        public void close() {
            stream.close();
            server.close();
            loop.close();
        }
    }

    /** Netty: server and client channels with {@link SslHandler}s on one event loop thread. */
    static final class Netty implements AutoCloseable {
        private final MultiThreadIoEventLoopGroup group;
        private final SelfSignedTls keys;
        private final Channel serverChannel;
        private final Bootstrap clients;
        private final Semaphore acks = new Semaphore(0);
        private final Channel stream;
        private final ByteBuf record = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[RECORD]));

        Netty(String transport) throws Exception {
            group = NettyPeers.oneThread(transport);
            try (Loop keytoolLoop = Loop.open()) {
                keys = SelfSignedTls.localhost();
            }
            serverChannel = new ServerBootstrap().group(group).channel(NettyPeers.serverChannel(transport))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new SslHandler(serverEngine(keys.server())), new Sink());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            clients = new Bootstrap().group(group).channel(NettyPeers.clientChannel(transport))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new SslHandler(clientEngine(keys.client())), new AckCounter());
                        }
                    });
            stream = connect();
        }

        private Channel connect() throws InterruptedException {
            Channel channel = clients.connect(serverChannel.localAddress()).sync().channel();
            if (!channel.pipeline().get(SslHandler.class).handshakeFuture().await(TIMEOUT.toMillis())) {
                throw new IllegalStateException("Netty's TLS handshake did not finish in " + TIMEOUT);
            }
            return channel;
        }

        /** One full handshake on a new connection, then close_notify. */
        void handshake() throws InterruptedException {
            connect().close().sync();
        }

        /** {@link #BATCH} records of {@link #RECORD} bytes written on the event loop, then the server's acknowledgement. */
        void batch() throws InterruptedException {
            stream.eventLoop().execute(() -> {
                for (int i = 0; i < BATCH; i++) {
                    stream.write(record.duplicate());
                }
                stream.flush();
            });
            if (!acks.tryAcquire(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("no acknowledgement from Netty's TLS sink in " + TIMEOUT);
            }
        }

        @Override
        public void close() {
            stream.close().awaitUninterruptibly();
            serverChannel.close().awaitUninterruptibly();
            NettyPeers.shutdown(group);
        }

        /** Counts what arrives and answers one byte per batch. */
        private static final class Sink extends ChannelInboundHandlerAdapter {
            private long received;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf data = (ByteBuf) msg;
                received += data.readableBytes();
                data.release();
                while (received >= (long) BATCH * RECORD) {
                    received -= (long) BATCH * RECORD;
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[1]));
                }
            }
        }

        /** Releases one permit per acknowledgement byte. */
        private final class AckCounter extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf data = (ByteBuf) msg;
                acks.release(data.readableBytes());
                data.release();
            }
        }
    }
}
