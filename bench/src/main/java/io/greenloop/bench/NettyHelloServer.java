package io.greenloop.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The Netty peer of greenloop's {@code HelloHttpServer} for {@code bench/run-wrk.sh}: one event loop
 * thread by default, which accepts and serves ({@code threads} for more, as the peer of a
 * {@code LoopGroup}), {@link HttpServerCodec} and one handler that answers every request
 * with a fixed {@code 200 OK} "Hello, World!", keeping the connection open unless the client asks to
 * close it. Listens on 127.0.0.1 only.
 *
 * <p>Usage: {@code NettyHelloServer PORT [epoll|nio] [maxSeconds [threads]]}; the transport defaults to epoll where
 * it is available, and the server stops by itself after {@code maxSeconds} (default: runs until killed).
 */
public final class NettyHelloServer {

    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final int BACKLOG = 1024;

    private NettyHelloServer() {
    }

    /** Serves until killed, or until {@code maxSeconds} have passed. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: NettyHelloServer PORT [epoll|nio] [maxSeconds] [threads]");
        }
        int port = Integer.parseInt(args[0]);
        String transport = args.length > 1 ? args[1] : NettyPeers.available().getFirst();
        long maxSeconds = args.length > 2 ? Long.parseLong(args[2]) : 0;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NettyPeers.handlers(transport));
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NettyPeers.serverChannel(transport))
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HelloHandler());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
            System.out.println("NettyHelloServer listening on " + server.localAddress() + " (netty " + transport + ", " + threads + " event loop thread(s))");
            if (maxSeconds > 0) {
                server.closeFuture().await(maxSeconds, TimeUnit.SECONDS);
            } else {
                server.closeFuture().await();
            }
            server.close().sync();
        } finally {
            NettyPeers.shutdown(group);
        }
    }

    /** Answers each request with the fixed response; flushes once per read batch, as Netty's own examples do. */
    private static final class HelloHandler extends SimpleChannelInboundHandler<HttpObject> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (!(message instanceof HttpRequest request)) {
                return;  // the (empty) body of a request that has one
            }
            ByteBuf body = Unpooled.wrappedBuffer(BODY);
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
            if (HttpUtil.isKeepAlive(request)) {
                ctx.write(response);
            } else {
                ctx.write(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
