package io.greenloop;

import io.greenloop.net.TcpSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A loop is never left behind: a pool thread whose blocking socket call opened a default loop ends, and the
 * monitor closes that loop within seconds (its descriptors, its bean), saying so once; an explicit {@code Loop.open()}
 * loop stays, marked in the run info. On the transport under test (nio in loop's build, each native one from the
 * test-jar). The descriptors are read from {@code /proc/self/fd} (Linux).
 */
class AbandonedLoopTest {

    private static final Path FDS = Path.of("/proc/self/fd");

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @Test
    void aPoolThreadsDefaultLoopIsClosedWithItsDescriptorsAndBeanOnceThePoolHasEnded() throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd");
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) peer.getLocalSocketAddress();
            connectOnAThreadThatClosesItsLoop(address);  // loads what a first loop and socket load, beans included
            Set<String> before = loopDescriptors();
            ExecutorService pool = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "pool-with-a-default-loop"));
            AtomicReference<Loop> opened = new AtomicReference<>();
            pool.submit(() -> {
                TcpSocket socket = TcpSocket.connect(address, null);  // opens this thread's default loop
                socket.write(new byte[] {1}, 0, 1);
                opened.set(Loop.current());
                return null;  // the socket and its loop are left open
            }).get(30, TimeUnit.SECONDS);
            Loop loop = opened.get();
            ObjectName bean = LoopStats.objectName(loop.stats.name());
            Set<String> loopsOwn = new HashSet<>(loopDescriptors());
            loopsOwn.removeAll(before);
            assertTrue(loopsOwn.stream().anyMatch(target -> target.contains(" -> socket:")), "the connection's socket: " + loopsOwn);
            Eventually.awaitOffLoop("the loop's bean", () -> ManagementFactory.getPlatformMBeanServer().isRegistered(bean));

            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));

            Eventually.awaitOffLoop("the loop's descriptors closed: " + loopsOwn,
                    () -> loopDescriptors().stream().noneMatch(loopsOwn::contains));
            Eventually.awaitOffLoop("the loop's bean gone", () -> !ManagementFactory.getPlatformMBeanServer().isRegistered(bean));
            assertTrue(loopDescriptors().size() <= before.size(), "the descriptor count is back: " + loopDescriptors() + " vs " + before);
            assertFalse(Green.formatRunInfo().contains(loop.toString()), Green.formatRunInfo());
            Eventually.awaitOffLoop("the warning", () -> !warningsNaming("pool-with-a-default-loop").isEmpty());
            List<LogRecord> warnings = warningsNaming("pool-with-a-default-loop");
            assertEquals(1, warnings.size(), warnings.toString());
            String message = warnings.getFirst().getMessage();
            assertTrue(message.contains("1 socket") && message.contains("JMX bean"), message);
        }
    }

    @Test
    void anExplicitLoopWhoseOwnerEndedStaysOpenAndIsMarkedInTheRunInfo() throws Exception {
        CompletableFuture<Loop> opened = new CompletableFuture<>();
        Thread owner = Thread.ofPlatform().name("owner-that-forgot-close").start(() -> opened.complete(Loop.open()));
        Loop loop = opened.get(30, TimeUnit.SECONDS);
        owner.join();
        try {
            Eventually.awaitOffLoop("the monitor to see the owner ended", () -> !BlockingMonitor.watches(loop));
            String runInfo = Green.formatRunInfo();
            assertTrue(runInfo.contains(loop + ": owner thread owner-that-forgot-close (TERMINATED: ENDED without closing this loop,"
                    + " opened with Loop.open()"), runInfo);
            assertTrue(warningsNaming("owner-that-forgot-close").isEmpty(), "an explicit loop is the owner's to close");
            ObjectName bean = LoopStats.objectName(loop.stats.name());
            Eventually.awaitOffLoop("the loop's bean", () -> ManagementFactory.getPlatformMBeanServer().isRegistered(bean));
        } finally {
            loop.thread.openedByDefault();  // the test's own clean-up: what the reaper does with a default loop
            assertTrue(loop.thread.closeAbandoned() != null);
        }
    }

    private static void connectOnAThreadThatClosesItsLoop(InetSocketAddress address) throws Exception {
        Thread thread = Thread.ofPlatform().start(() -> {
            try (Loop loop = Loop.open(); TcpSocket socket = TcpSocket.connect(address, null)) {
                socket.write(new byte[] {0}, 0, 1);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        thread.join();
    }

    private List<LogRecord> warningsNaming(String thread) {
        return logs.records("io.greenloop.BlockingMonitor", Level.WARNING).stream()
                .filter(record -> record.getMessage().contains("thread " + thread + " ended")).toList();
    }

    /** What this JVM's descriptors of the kinds a loop opens (sockets, pollers, event and pipe fds) point at. */
    private static Set<String> loopDescriptors() {
        Set<String> targets = new HashSet<>();
        List<Path> fds = new ArrayList<>();
        try (Stream<Path> listed = Files.list(FDS)) {
            listed.forEach(fds::add);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (Path fd : fds) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.startsWith("socket:") || target.startsWith("anon_inode:") || target.startsWith("pipe:")) {
                    targets.add(fd.getFileName() + " -> " + target);
                }
            } catch (IOException closedMeanwhile) {
                // the listing's own descriptor, or one closed since
            }
        }
        return targets;
    }
}
