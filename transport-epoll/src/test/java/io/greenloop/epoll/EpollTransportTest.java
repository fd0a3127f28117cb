package io.greenloop.epoll;

import io.greenloop.spi.IoHandle;
import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.Peers;
import io.greenloop.spi.unix.UnixTransportTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.greenloop.spi.unix.Peers.PATIENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared transport tests on epoll, which also check the epoll set itself (listed in
 * {@code /proc/self/fdinfo}) and that the loop's wait really is in the kernel's epoll code; plus the
 * registration rule that only epoll can show: each socket once, edge-triggered, never modified.
 */
class EpollTransportTest extends UnixTransportTest {

    EpollTransportTest() {
        super("epoll", EpollTransport::new);
    }

    @Override
    protected Optional<List<Integer>> registeredFds(Transport transport) throws IOException {
        return Optional.of(epollEntries((EpollTransport) transport).stream()
                .map(line -> Integer.parseInt(line.split("\\s+")[1])).toList());
    }

    @Override
    protected String awaitPollerWait(String threadName) throws Exception {
        return awaitWaitChannel(threadName, "epoll|ep_poll");
    }

    /**
     * The refusal of {@code SO_BUSY_POLL} that Linux before 6.4 gave a raise without {@code CAP_NET_ADMIN}. This
     * kernel accepts any raise from anyone (6.4 dropped the check; checked here under {@code capsh
     * --drop=cap_net_admin}), so the message is built from what Netty reports, the kernel's text.
     */
    @Test
    void aRefusedBusyPollRaiseNamesTheCapabilityAndWhatElseToDo() {
        String raise = EpollTransport.busyPollRefused(50, 0, "setsockopt() failed: Operation not permitted");
        assertTrue(raise.contains("SO_BUSY_POLL to 50 us was refused (setsockopt() failed: Operation not permitted)")
                && raise.contains("CAP_NET_ADMIN") && raise.contains("net.core.busy_read") && raise.contains("at most 0 us"), raise);
        String lower = EpollTransport.busyPollRefused(10, 50, "setsockopt() failed: Bad file descriptor");
        assertTrue(!lower.contains("CAP_NET_ADMIN") && lower.contains("Bad file descriptor"), "only a raise needs the capability: " + lower);
    }

    @Test
    void eachSocketIsRegisteredOnceEdgeTriggeredAndStaysSoAcrossManyWaits() throws Exception {
        Peers.Pair pair = Peers.connect(transport);
        String registration = epollEntries((EpollTransport) transport).getFirst();
        for (int i = 0; i < 50; i++) {
            pair.peer().getOutputStream().write(i);
            assertEquals(IoHandle.READ, awaitByHand(pair.handle(), IoHandle.READ));
            assertEquals(1, pair.handle().read(ByteBuffer.allocate(4)));
            assertEquals(0, pair.handle().read(ByteBuffer.allocate(4)));
        }
        assertEquals(List.of(registration), epollEntries((EpollTransport) transport), "the same single registration, never modified");
        long mask = Long.parseLong(registration.split("events:\\s*")[1].split("\\s")[0], 16);
        assertTrue((mask & (1L << 31)) != 0, "EPOLLET in " + registration);
        pair.close();
    }

    private int awaitByHand(IoHandle handle, int op) throws IOException {
        AtomicReference<Integer> got = new AtomicReference<>();
        handle.listener(got::set);
        handle.interest(op);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (got.get() == null && System.nanoTime() < deadline) {
            transport.poll(TimeUnit.MILLISECONDS.toNanos(100));
            transport.dispatch();
        }
        handle.interest(0);
        return got.get();
    }

    /**
     * Waits until the named thread of this process sleeps in the kernel in a function whose name matches
     * {@code pattern} somewhere (from {@code /proc/self/task/N/wchan}) and returns that name; returns ""
     * when this kernel does not show wait channels, after waiting long enough for the thread to get there.
     */
    private static String awaitWaitChannel(String threadName, String pattern) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).trim().equals(threadName)) {
                            last = Files.readString(task.resolve("wchan")).trim();
                        }
                    } catch (IOException e) {
                        // the task ended while we looked
                    }
                }
            }
            if (java.util.regex.Pattern.compile(pattern).matcher(last).find()) {
                return last;
            }
            Thread.sleep(10);
        }
        if (last.isEmpty() || last.equals("0")) {
            return "";
        }
        throw new AssertionError(threadName + " never waited in a kernel function matching " + pattern + "; last wait channel: " + last);
    }

    /** The {@code tfd:} lines of the transport's epoll fdinfo, one per registered fd, without its eventfd and timerfd. */
    private static List<String> epollEntries(EpollTransport transport) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/fdinfo/" + transport.epollFd()));
        List<Integer> own = transport.ownFds();
        return lines.stream().filter(line -> line.startsWith("tfd:"))
                .filter(line -> !own.contains(Integer.parseInt(line.split("\\s+")[1]))).toList();
    }
}
