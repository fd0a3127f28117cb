package io.greenloop.bench;

import io.greenloop.Loop;
import io.greenloop.net.StreamServer;
import io.greenloop.net.TcpSocket;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The echo servers of the socket benchmarks, all on 127.0.0.1 with an ephemeral port: greenloop's
 * ({@link StreamServer}, a greenlet per connection, one loop thread), and the peers: Netty (epoll or NIO; one event loop thread that accepts and serves; a pipeline of
 * one handler that writes back what it reads and flushes once per read batch), and JDK virtual threads
 * on the default scheduler with {@code java.net.Socket} (a thread per connection, read then write).
 */
final class EchoPeers {

    /** Read buffer of the thread-per-connection servers: more than a benchmark message, as a real server's would be. */
    static final int READ_BUFFER = 8192;
    private static final int BACKLOG = 1024;
    private static final long START_TIMEOUT_SECONDS = 10;

    private EchoPeers() {
    }

    /**
     * A server that is listening on {@code port} of 127.0.0.1; {@link #close()} runs {@code stop}, which stops it
     * and waits until its threads are done.
     */
    record Running(int port, Runnable stop) implements AutoCloseable {
        @Override
        public void close() {
            stop.run();
        }
    }

    /** Joins {@code threads} (a stopping server's), keeping an interrupt for the caller. */
    private static void joinAll(Iterable<Thread> threads) {
        try {
            for (Thread thread : threads) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * greenloop's echo server on {@code transport}, written as a user would: a loop on its own platform
     * thread, a {@link StreamServer} with a greenlet per connection that reads and writes back.
     */
    static Running greenloop(String transport) throws Exception {
        return greenloop(transport, EchoPeers::echo);
    }

    /** A greenloop server as {@link #greenloop(String)} with another per-connection handler. */
    static Running greenloop(String transport, StreamServer.Handler handler) throws Exception {
        return greenloop(Loop.Options.defaults().withTransport(transport), handler);
    }

    /** A greenloop server as {@link #greenloop(String)} on a loop opened with {@code options}, with another handler. */
    static Running greenloop(Loop.Options options, StreamServer.Handler handler) throws Exception {
        CompletableFuture<GreenloopServer> started = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().name("greenloop-server-" + options.transport()).start(() -> {
            try (Loop loop = Loop.open(options)) {
                StreamServer server = new StreamServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler,
                        StreamServer.Options.defaults().withBacklog(BACKLOG));
                server.start();
                started.complete(new GreenloopServer(loop, server));
                server.serveForever();
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        });
        GreenloopServer server = started.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        int port = server.server().address().getPort();
        return new Running(port, () -> {
            // stop() may wait for handlers, so it runs in a greenlet; serveForever() then returns and the loop closes.
            server.loop().execute(() -> server.loop().spawn(() -> server.server().stop(Duration.ZERO)));
            joinAll(List.of(thread));
        });
    }

    private record GreenloopServer(Loop loop, StreamServer server) { }

    /** One greenloop connection: write back whatever arrives until the client leaves. */
    static void echo(TcpSocket socket, InetSocketAddress peer) throws IOException {
        byte[] buffer = new byte[READ_BUFFER];
        try {
            for (int n; (n = socket.read(buffer, 0, buffer.length)) > 0; ) {
                socket.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // the client reset the connection at tear-down: it left
        }
    }

    /** A Netty echo server on {@code transport} with one event loop thread. */
    static Running netty(String transport) throws InterruptedException {
        return netty(transport, () -> NettyEchoHandler.INSTANCE);
    }

    /** A Netty server as {@link #netty(String)} with another handler, made per connection by {@code handlers}. */
    static Running netty(String transport, Supplier<ChannelHandler> handlers) throws InterruptedException {
        return netty(NettyPeers.oneThread(transport), transport, handlers);
    }

    /** A Netty server on {@code group} (one event loop thread on {@code transport}, which it shuts down at close). */
    static Running netty(MultiThreadIoEventLoopGroup group, String transport, Supplier<ChannelHandler> handlers)
            throws InterruptedException {
        try {
            Channel server = bindNetty(group, transport, 0, handlers);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            return new Running(port, () -> {
                server.close().syncUninterruptibly();
                NettyPeers.shutdown(group);
            });
        } catch (InterruptedException | RuntimeException e) {
            NettyPeers.shutdown(group);
            throw e;
        }
    }

    /** Binds a Netty server on {@code group} to 127.0.0.1:{@code port}, one {@code handlers.get()} per connection. */
    static Channel bindNetty(MultiThreadIoEventLoopGroup group, String transport, int port, Supplier<ChannelHandler> handlers)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(NettyPeers.serverChannel(transport))
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(handlers.get());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
    }

    /** Writes back what it reads; flushes when the read batch is over. */
    @ChannelHandler.Sharable
    static final class NettyEchoHandler extends NettyPeers.FlushPerReadBatch {
        static final NettyEchoHandler INSTANCE = new NettyEchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ctx.write(message);
        }
    }

    /** An echo server of JDK virtual threads (default scheduler): one accepting, one per connection. */
    static Running virtualThreads() throws IOException {
        ServerSocket listener = new ServerSocket(0, BACKLOG, InetAddress.getLoopbackAddress());
        Set<Socket> open = ConcurrentHashMap.newKeySet();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Thread acceptor = Thread.ofVirtual().name("vt-echo-accept").start(() -> {
            try {
                while (true) {
                    Socket socket = listener.accept();
                    socket.setTcpNoDelay(true);
                    open.add(socket);
                    threads.add(Thread.ofVirtual().start(() -> echo(socket, open)));
                }
            } catch (IOException e) {
                // closed by close(): done accepting
            }
        });
        return new Running(listener.getLocalPort(), () -> {
            closeQuietly(listener);
            open.forEach(EchoPeers::closeQuietly);
            joinAll(List.of(acceptor));
            joinAll(threads);
        });
    }

    private static void echo(Socket socket, Set<Socket> open) {
        byte[] buffer = new byte[READ_BUFFER];
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the peer went away, or close() closed it: either way this connection is done
        } finally {
            open.remove(socket);
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // tear-down of a benchmark peer: nothing useful to do with it
        }
    }
}
