package io.greenloop.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;

/**
 * The Netty HTTP peer of {@link HttpBenchmark}: Netty 4.2's own HTTP/1.1 codec ({@code HttpServerCodec}, a full
 * parse of each request) with {@code HttpServerKeepAliveHandler} (keep-alive as HTTP/1.0 and 1.1 ask), answering
 * every request with {@link HttpHello#BODY} and a cached {@code Date}, on {@code LOOPS} event loop threads (epoll
 * where it is available), flushing once per read batch so that pipelined answers leave together. Listens on
 * 127.0.0.1. Unlike {@link NettyHelloServer} (which frames requests by counting {@code \r\n\r\n}), this is what a
 * Netty user serving HTTP writes.
 *
 * <p>Usage: {@code NettyCodecHelloServer PORT LOOPS MAX_SECONDS} (see {@link HttpHello}).
 */
public final class NettyCodecHelloServer {

    private static final ByteBuf BODY = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(HttpHello.BODY));

    private NettyCodecHelloServer() {
    }

    /** Serves until killed or until {@code MAX_SECONDS} have passed. */
    public static void main(String[] args) throws InterruptedException {
        HttpHello.Args parsed = HttpHello.Args.parse("NettyCodecHelloServer", args);
        String transport = NettyPeers.available().getFirst();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(parsed.loops(), NettyPeers.handlers(transport));
        try {
            Channel server = EchoPeers.bindNetty(group, transport, parsed.port(), NettyCodecHelloServer::pipeline);
            HttpHello.listening(((InetSocketAddress) server.localAddress()).getPort(),
                    "Netty HttpServerCodec hello (" + transport + ", " + parsed.loops() + " event loop thread(s))");
            HttpHello.serveFor(parsed.maxSeconds());
            server.close().sync();
        } finally {
            NettyPeers.shutdown(group);
        }
    }

    /** One connection's pipeline: the codec, keep-alive, then the hello handler. */
    static ChannelHandler pipeline() {
        return new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(), new HelloHandler());
            }
        };
    }

    /** Answers each request head (the hello needs no body) with one full response; flushes when the read batch is over. */
    static final class HelloHandler extends NettyPeers.FlushPerReadBatch {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            try {
                if (message instanceof HttpRequest request) {
                    FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion().equals(HttpVersion.HTTP_1_0)
                            ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1, HttpResponseStatus.OK, BODY.duplicate());
                    response.headers()
                            .set(HttpHeaderNames.CONTENT_TYPE, HttpHello.CONTENT_TYPE)
                            .setInt(HttpHeaderNames.CONTENT_LENGTH, HttpHello.BODY.length)
                            .set(HttpHeaderNames.DATE, HttpHello.date());
                    ctx.write(response);  // not the void promise: the keep-alive handler listens on it to close
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
    }
}
