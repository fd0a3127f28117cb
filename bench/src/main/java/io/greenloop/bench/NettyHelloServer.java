package io.greenloop.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.util.concurrent.TimeUnit;

/**
 * The Netty peer of greenloop's {@code HelloHttpServer} for {@code bench/run-wrk.sh} and {@link LatencyBenchmark}:
 * one event loop thread (it accepts and serves) and one handler per connection that frames requests with the
 * same {@link RequestFraming} code as {@code HelloHttpServer} and answers each with the same fixed response,
 * flushing once per read batch. Equal work on both sides: no HTTP codec here, none there. Listens on 127.0.0.1
 * only. {@code threads} (default 1) gives it more event loop threads, as the peer of a {@code LoopGroup}.
 *
 * <p>Usage: {@code NettyHelloServer PORT [epoll|nio] [maxSeconds [threads]]}; the transport defaults to epoll where
 * it is available, and the server stops by itself after {@code maxSeconds} (default: runs until killed).
 */
public final class NettyHelloServer {

    private static final ByteBuf RESPONSE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(RequestFraming.RESPONSE));

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
            Channel server = EchoPeers.bindNetty(group, transport, port, HelloHandler::new);
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

    /** Counts the requests each read completes and writes that many responses; flushes when the read batch is over. */
    static final class HelloHandler extends NettyPeers.FlushPerReadBatch {
        private final RequestFraming framing = new RequestFraming();
        /** greenloop's handler reads into a byte array; this one copies into one, so both frame the same way. */
        private final byte[] scratch = new byte[EchoPeers.READ_BUFFER];

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ByteBuf in = (ByteBuf) message;
            try {
                int count = 0;
                while (in.isReadable()) {
                    int n = Math.min(in.readableBytes(), scratch.length);
                    in.readBytes(scratch, 0, n);
                    count += framing.completedRequests(scratch, 0, n);
                }
                for (int i = 0; i < count; i++) {
                    ctx.write(RESPONSE.duplicate());
                }
            } finally {
                in.release();
            }
        }
    }
}
