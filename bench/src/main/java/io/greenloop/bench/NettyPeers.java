package io.greenloop.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Netty peers' plumbing by transport name ({@code "epoll"}, {@code "nio"}): one-thread event loop
 * groups and the matching channel classes, as a Netty user would pick them.
 */
final class NettyPeers {

    /** How long a Netty group may take to shut down at tear-down. */
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 5;

    private NettyPeers() {
    }

    /** The Netty transports that work here: epoll when its native library loads, and NIO always. */
    static List<String> available() {
        List<String> names = new ArrayList<>();
        if (Epoll.isAvailable()) {
            names.add("epoll");
        }
        names.add("nio");
        return names;
    }

    /** A group of one event loop thread on {@code transport}. */
    static MultiThreadIoEventLoopGroup oneThread(String transport) {
        return new MultiThreadIoEventLoopGroup(1, handlers(transport));
    }

    /**
     * A group of one epoll event loop thread that never sleeps in {@code epoll_wait}: its select strategy answers
     * {@link SelectStrategy#BUSY_WAIT} whenever no task is queued (queued tasks get a non-blocking look first, as
     * Netty's default strategy gives them), so the thread spins in Netty's native busy-wait loop. Netty's own
     * low-latency setting, the peer of greenloop's {@code IdleStrategy.spin()}.
     */
    static MultiThreadIoEventLoopGroup oneBusyWaitThread() {
        Epoll.ensureAvailability();
        SelectStrategy busyWait = (selectNow, hasTasks) -> hasTasks ? selectNow.get() : SelectStrategy.BUSY_WAIT;
        return new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory(0, () -> busyWait));
    }

    static IoHandlerFactory handlers(String transport) {
        return switch (transport) {
            case "epoll" -> {
                Epoll.ensureAvailability();
                yield EpollIoHandler.newFactory();
            }
            case "nio" -> NioIoHandler.newFactory();
            default -> throw unknown(transport);
        };
    }

    static Class<? extends ServerChannel> serverChannel(String transport) {
        return switch (transport) {
            case "epoll" -> EpollServerSocketChannel.class;
            case "nio" -> NioServerSocketChannel.class;
            default -> throw unknown(transport);
        };
    }

    static Class<? extends SocketChannel> clientChannel(String transport) {
        return switch (transport) {
            case "epoll" -> EpollSocketChannel.class;
            case "nio" -> NioSocketChannel.class;
            default -> throw unknown(transport);
        };
    }

    /** Shuts a group down at once and waits for its thread to end. */
    static void shutdown(MultiThreadIoEventLoopGroup group) {
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS);
    }

    /**
     * What every Netty peer's handler does besides reading: flush once when the read batch is over, so answers that
     * are ready together leave in one write, and close the connection on an error (the client went away).
     */
    abstract static class FlushPerReadBatch extends ChannelInboundHandlerAdapter {

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static IllegalArgumentException unknown(String transport) {
        return new IllegalArgumentException("no Netty transport named \"" + transport + "\"; use one of " + available());
    }
}
