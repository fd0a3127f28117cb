package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A loop's owner thread pinned to a CPU ({@link Loop.Options#withCpu}) through libc's {@code sched_setaffinity},
 * read back with {@code sched_getaffinity}: pinned while the loop is open, its greenlets with it, given back its
 * CPUs when it closes; shown in the run info and the JMX bean; refused where it cannot be done. The refusals that
 * need another process (a narrower CPU set, another OS) run in a child JVM.
 */
class CpuPinningTest {

    private static final Duration CHILD_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    private static void assumeLinux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"), "sched_setaffinity is Linux's");
    }

    /** The highest CPU this process may run on: on a machine with more than one, not the one threads start on by chance. */
    private static int lastAllowedCpu() {
        BitSet allowed = CpuPinning.allowedCpus();
        return allowed.previousSetBit(allowed.length());
    }

    @Test
    void theOwnerAndItsGreenletsRunOnTheCpuWhileTheLoopIsOpenAndGetTheirCpusBackAfter() throws Exception {
        assumeLinux();
        int cpu = lastAllowedCpu();
        BitSet only = new BitSet();
        only.set(cpu);
        CompletableFuture<List<BitSet>> seen = new CompletableFuture<>();
        Thread owner = Thread.ofPlatform().name("pinned-owner").start(() -> {
            try {
                List<BitSet> masks = new ArrayList<>();
                masks.add(CpuPinning.currentThreadCpus());
                try (Loop loop = Loop.open(Loop.Options.defaults().withCpu(cpu))) {
                    masks.add(CpuPinning.currentThreadCpus());
                    masks.add(loop.spawn(CpuPinning::currentThreadCpus).get());  // the greenlet's carrier is the owner
                }
                masks.add(CpuPinning.currentThreadCpus());
                seen.complete(masks);
            } catch (Throwable e) {
                seen.completeExceptionally(e);
            }
        });
        List<BitSet> masks = seen.get(CHILD_LIMIT.toSeconds(), TimeUnit.SECONDS);
        owner.join();
        assertEquals(only, masks.get(1), "the owner thread, while the loop is open");
        assertEquals(only, masks.get(2), "a greenlet of the loop");
        assertEquals(masks.get(0), masks.get(3), "after close, the CPUs the thread had before");
    }

    @Test
    void theRunInfoAndTheBeanShowTheCpuAndTheIdleStrategy() throws Exception {
        assumeLinux();
        int cpu = lastAllowedCpu();
        CompletableFuture<String> checked = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try (Loop loop = Loop.open(Loop.Options.defaults().withCpu(cpu).withIdleStrategy(IdleStrategy.backoff(10, 2)))) {
                assertEquals(cpu, loop.stats.getCpu());
                assertEquals("backoff(10, 2)", loop.stats.getIdleStrategy());
                checked.complete(Green.formatRunInfo());
            } catch (Throwable e) {
                checked.completeExceptionally(e);
            }
        }).join();
        String runInfo = checked.get();
        assertTrue(runInfo.contains("idle strategy backoff(10, 2), pinned to CPU " + cpu), runInfo);
    }

    @Test
    void anUnpinnedLoopShowsNoCpuAndBlocks() {
        try (Loop loop = Loop.open()) {
            assertEquals(Loop.Options.UNPINNED, loop.stats.getCpu());
            assertEquals("block", loop.stats.getIdleStrategy());
            String runInfo = Green.formatRunInfo();
            assertTrue(!runInfo.contains("pinned to CPU") && !runInfo.contains("idle strategy"), runInfo);
        }
    }

    @Test
    void aCpuOutsideTheMachineIsRefusedNamingTheCpusThereAre() {
        assumeLinux();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loop.open(Loop.Options.defaults().withCpu(999)));
        assertTrue(e.getMessage().contains("CPU 999 is outside the CPUs this process may run on ("
                + CpuPinning.cpuList(CpuPinning.allowedCpus()) + ":"), e.getMessage());
        Loop.open().close();  // the refusal left no loop behind on this thread
    }

    @Test
    void aCpuThatTasksetLeftOutIsRefusedNamingTheCpusLeft() throws Exception {
        assumeLinux();
        BitSet allowed = CpuPinning.allowedCpus();
        assumeTrue(allowed.get(0) && allowed.cardinality() > 1, "needs CPU 0 and another: " + allowed);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/taskset")) || Files.isExecutable(Path.of("/bin/taskset")), "needs taskset");
        int other = allowed.nextSetBit(1);
        ChildProcess.Result child = runProbe(List.of("taskset", "-c", "0"), List.of(), other);
        assertEquals(0, child.exitCode(), child.toString());
        assertTrue(child.stdout().contains("IllegalArgumentException: CPU " + other
                + " is outside the CPUs this process may run on (0:"), child.toString());
    }

    @Test
    void aVirtualThreadOwnerIsRefused() throws Exception {
        assumeLinux();
        int cpu = lastAllowedCpu();
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Loop.open(Loop.Options.defaults().withCpu(cpu)).close();
                refused.complete(null);
            } catch (Throwable e) {
                refused.complete(e);
            }
        }).join();
        Throwable e = refused.get();
        assertTrue(e instanceof IllegalStateException && e.getMessage().contains("is a virtual thread")
                && e.getMessage().contains("Thread.ofPlatform()"), String.valueOf(e));
    }

    @Test
    void anotherOsIsRefusedSayingSo() throws Exception {
        ChildProcess.Result child = runProbe(List.of(), List.of("-Dos.name=Mac OS X"), 0);
        assertEquals(0, child.exitCode(), child.toString());
        assertTrue(child.stdout().contains("UnsupportedOperationException: pinning a loop's thread to CPU 0"
                + " (Loop.Options.withCpu) needs Linux's sched_setaffinity, and this is Mac OS X"), child.toString());
    }

    @Test
    void aNegativeCpuIsNoCpu() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loop.Options.defaults().withCpu(-2));
        assertTrue(e.getMessage().contains("cpu -2 is no CPU"), e.getMessage());
        assertEquals(Loop.Options.UNPINNED, Loop.Options.defaults().withCpu(3).withCpu(Loop.Options.UNPINNED).cpu());
    }

    /** Runs {@link PinProbe} in a child JVM started under {@code prefix}, with {@code flags}, asking for {@code cpu}. */
    private ChildProcess.Result runProbe(List<String> prefix, List<String> flags, int cpu) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Dgreenloop.jmx=false"));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PinProbe.class.getName(), Integer.toString(cpu)));
        return ChildProcess.run(new ProcessBuilder(command), directory, "pin-probe", CHILD_LIMIT);
    }

    /** Opens a loop pinned to the CPU given and prints what happened: the refusal, or "pinned". */
    public static final class PinProbe {
        private PinProbe() {
        }

        public static void main(String[] args) {
            try (Loop loop = Loop.open(Loop.Options.defaults().withCpu(Integer.parseInt(args[0])))) {
                System.out.println("pinned " + loop);
            } catch (RuntimeException e) {
                System.out.println(e);
            }
        }
    }
}
