package io.greenloop.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A load generator of {@code connections} connections to one server, all paced by one Netty event loop thread
 * (shared by every client of a run, so the generator uses one thread however many servers it drives).
 *
 * <p>Open loop ({@link #openLoop}): request {@code i} of the run is due at {@code start + i / rate} on connection
 * {@code i % connections}, whether or not earlier answers have come back (as wrk2 does), and its latency is
 * measured from that intended time to the arrival of its answer, so a stalled server is charged for every
 * request it delayed, not only the one it was serving (no coordinated omission). The pacer's own lateness
 * (when each request went out against when it was due) is recorded apart, per request, so a slow generator shows.
 * Answers are counted by size: every server of a benchmark answers each request with the same fixed bytes.
 *
 * <p>Closed loop ({@link #closedLoop}): each connection sends its next request when its answer arrives; the
 * answer rate is how fast the server goes when the generator never waits, used to find the saturation rate.
 *
 * <p>Thread rule: construct, run and close from one thread that is not the event loop; each run blocks until
 * it is over.
 */
final class OpenLoopClient implements AutoCloseable {

    /** Highest latency recorded without clamping: longer runs than this are not meant to be measured. */
    private static final long MAX_TRACKED_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** 3 significant digits: 0.1% relative precision, HdrHistogram's usual setting. */
    private static final int PRECISION_DIGITS = 3;
    /** Connect this many at once: 1,000 at once would overflow a 128-entry accept queue on some machines. */
    private static final int CONNECT_BATCH = 100;
    /** After the last send, how long answers may still come before the rest are counted as unanswered. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(2);

    /** One run's figures; latencies and lateness in nanoseconds. */
    record Result(long answered, long unanswered, double seconds, Histogram latency, Histogram lateness, double clientCpuShare) {
        double answersPerSecond() {
            return answered / seconds;
        }
    }

    private final EventLoop loop;
    private final ByteBuf request;
    private final int answerBytes;
    private final List<Connection> connections = new ArrayList<>();

    /** Opens {@code connections} connections to 127.0.0.1:{@code port} on {@code group} (one thread). */
    OpenLoopClient(MultiThreadIoEventLoopGroup group, String transport, int port, int connections, byte[] request, int answerBytes)
            throws InterruptedException {
        this.loop = group.next();
        this.request = Unpooled.unreleasableBuffer(Unpooled.directBuffer(request.length).writeBytes(request));
        this.answerBytes = answerBytes;
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NettyPeers.clientChannel(transport))
                .option(ChannelOption.TCP_NODELAY, true);
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        for (int first = 0; first < connections; first += CONNECT_BATCH) {
            List<ChannelFuture> batch = new ArrayList<>();
            for (int i = first; i < Math.min(connections, first + CONNECT_BATCH); i++) {
                Connection connection = new Connection();
                this.connections.add(connection);
                batch.add(bootstrap.clone().handler(connection).connect(server));
            }
            for (ChannelFuture future : batch) {
                future.sync();
            }
        }
    }

    /** Sends {@code rate} requests per second for {@code warmup} (not recorded) then {@code measure} (recorded). */
    Result openLoop(double rate, Duration warmup, Duration measure) throws Exception {
        OpenLoopRun run = new OpenLoopRun(rate, warmup.toNanos(), measure.toNanos());
        loop.execute(run::start);
        return run.done.get(warmup.plus(measure).plus(DRAIN_LIMIT).toSeconds() + 30, TimeUnit.SECONDS);
    }

    /** Runs closed-loop (one request in flight per connection) for {@code duration}; returns answers per second. */
    double closedLoop(Duration duration) throws Exception {
        CompletableFuture<Double> done = new CompletableFuture<>();
        loop.execute(() -> {
            long start = System.nanoTime();
            long[] answers = new long[1];
            for (Connection connection : connections) {
                connection.onAnswer = (c, intended) -> {
                    answers[0]++;
                    c.send(0);
                    c.channel.flush();
                };
                connection.send(0);
                connection.channel.flush();
            }
            loop.schedule(() -> {
                double seconds = (System.nanoTime() - start) / 1e9;
                for (Connection connection : connections) {
                    connection.onAnswer = (c, intended) -> { };  // the answers still in flight end the chain
                }
                done.complete(answers[0] / seconds);
            }, duration.toNanos(), TimeUnit.NANOSECONDS);
        });
        double rate = done.get(duration.toSeconds() + 30, TimeUnit.SECONDS);
        Thread.sleep(DRAIN_LIMIT.toMillis() / 4);  // let the last answers arrive before the next run counts bytes
        loop.submit(() -> connections.forEach(Connection::forget)).get();
        return rate;
    }

    @Override
    public void close() {
        for (Connection connection : connections) {
            connection.channel.close().syncUninterruptibly();
        }
    }

    /** What a connection does with an answer; runs on the event loop. */
    private interface AnswerListener {
        void answered(Connection connection, long intendedNanos);
    }

    /** One connection: the intended send times of its requests in flight, oldest first, and its partial answer. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private Channel channel;
        private long[] intended = new long[16];
        private int head;
        private int size;
        private long partialBytes;
        private AnswerListener onAnswer = (c, t) -> { };

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        void send(long intendedNanos) {
            if (size == intended.length) {
                long[] grown = new long[size * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = intended[(head + i) % intended.length];
                }
                intended = grown;
                head = 0;
            }
            intended[(head + size++) % intended.length] = intendedNanos;
            channel.write(request.duplicate(), channel.voidPromise());
        }

        void forget() {
            head = 0;
            size = 0;
            partialBytes = 0;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ByteBuf in = (ByteBuf) message;
            partialBytes += in.readableBytes();
            in.release();
            while (partialBytes >= answerBytes && size > 0) {
                partialBytes -= answerBytes;
                long sent = intended[head];
                head = (head + 1) % intended.length;
                size--;
                onAnswer.answered(this, sent);
            }
            if (size == 0) {
                partialBytes = 0;  // late answers to requests an overloaded run gave up on: not this run's
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cause.printStackTrace();
            ctx.close();
        }
    }

    /** One open-loop run; every method but the constructor runs on the event loop. */
    private final class OpenLoopRun {
        private final CompletableFuture<Result> done = new CompletableFuture<>();
        private final Histogram latency = new Histogram(1, MAX_TRACKED_NANOS, PRECISION_DIGITS);
        private final Histogram lateness = new Histogram(1, MAX_TRACKED_NANOS, PRECISION_DIGITS);
        private final double periodNanos;
        private final long warmupNanos;
        private final long measureNanos;
        private final List<Connection> written = new ArrayList<>();
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private long start;
        private long measureFrom;
        private long sendUntil;
        private long next;
        private long answered;
        private long cpuAtMeasure;

        OpenLoopRun(double rate, long warmupNanos, long measureNanos) {
            this.periodNanos = 1e9 / rate;
            this.warmupNanos = warmupNanos;
            this.measureNanos = measureNanos;
        }

        void start() {
            start = System.nanoTime();
            measureFrom = start + warmupNanos;
            sendUntil = measureFrom + measureNanos;
            for (Connection connection : connections) {
                connection.onAnswer = this::answered;
            }
            pace();
        }

        private long intended(long i) {
            return start + (long) (i * periodNanos);
        }

        private void answered(Connection connection, long intendedNanos) {
            if (intendedNanos >= measureFrom) {
                latency.recordValue(Math.min(MAX_TRACKED_NANOS, Math.max(1, System.nanoTime() - intendedNanos)));
                answered++;
            }
        }

        /** Sends every request that is due, then sleeps in the event loop until the next one is. */
        private void pace() {
            long now = System.nanoTime();
            long due = intended(next);
            if (due >= measureFrom && due < sendUntil && cpuAtMeasure == 0) {
                cpuAtMeasure = threads.getCurrentThreadCpuTime();
            }
            for (; due <= now && due < sendUntil; due = intended(++next)) {
                if (due >= measureFrom) {
                    // Per request, like the latencies: after a stall every overdue request counts, not only the first.
                    lateness.recordValue(Math.min(MAX_TRACKED_NANOS, Math.max(1, now - due)));
                }
                Connection connection = connections.get((int) (next % connections.size()));
                connection.send(due);
                written.add(connection);
            }
            for (Connection connection : written) {
                connection.channel.flush();
            }
            written.clear();
            if (due < sendUntil) {
                loop.schedule(this::pace, due - System.nanoTime(), TimeUnit.NANOSECONDS);
            } else {
                long cpu = threads.getCurrentThreadCpuTime() - cpuAtMeasure;
                loop.schedule(() -> finish(cpu), Math.max(0, sendUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }

        /** After the last send: waits for the answers in flight, at most {@link #DRAIN_LIMIT}, then reports. */
        private void finish(long cpuNanos) {
            long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
            Runnable check = new Runnable() {
                @Override
                public void run() {
                    long inFlight = connections.stream().mapToLong(c -> c.size).sum();
                    if (inFlight > 0 && System.nanoTime() < deadline) {
                        loop.schedule(this, 1, TimeUnit.MILLISECONDS);
                        return;
                    }
                    long unanswered = countUnanswered();
                    double share = cpuNanos / (double) measureNanos;
                    done.complete(new Result(answered, unanswered, measureNanos / 1e9, latency, lateness, share));
                }
            };
            check.run();
        }

        /** Records every measured request still unanswered at the drain limit with the latency it has so far. */
        private long countUnanswered() {
            long now = System.nanoTime();
            long unanswered = 0;
            for (Connection connection : connections) {
                for (int i = 0; i < connection.size; i++) {
                    long sent = connection.intended[(connection.head + i) % connection.intended.length];
                    if (sent >= measureFrom) {
                        latency.recordValue(Math.min(MAX_TRACKED_NANOS, now - sent));
                        unanswered++;
                    }
                }
                connection.forget();
                connection.onAnswer = (c, t) -> { };
            }
            return unanswered;
        }
    }
}
