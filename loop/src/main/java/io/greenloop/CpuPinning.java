package io.greenloop;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.BitSet;
import java.util.Locale;

/**
 * Pins a loop's owner thread to one CPU ({@link Loop.Options#withCpu}) with Linux's {@code sched_setaffinity},
 * called through {@code java.lang.foreign} (libc, no native library of greenloop's), and undoes it when the loop
 * closes. Refuses, with what to do instead: an OS other than Linux, a virtual thread (it runs on whichever
 * carrier the JDK picks), and a CPU outside the set this process may run on.
 *
 * <p>That set is the affinity of the process's first thread ({@code sched_getaffinity(getpid())}): what
 * {@code taskset} or a cgroup's cpuset gave the process, which greenloop never changes (Java code never runs on
 * that thread). A thread's own mask is not used, since pinning one loop would narrow the set its threads start
 * new ones with.
 *
 * <p>The foreign calls are bound on first use, so a JVM that pins nothing never links them. On the module path
 * they need {@code --enable-native-access=greenloop.loop} (the JDK warns once without it). Thread-safe: each call
 * acts on the calling thread.
 */
final class CpuPinning {

    /** glibc's {@code cpu_set_t}: 1,024 CPUs in 128 bytes; doubled while the kernel says it has more. */
    private static final int FIRST_MASK_BYTES = 128;
    /** Far beyond any machine (65,536 CPUs): only a failing kernel call gets here. */
    private static final int MAX_MASK_BYTES = 8192;
    private static final int EINVAL = 22;

    private CpuPinning() {
    }

    /** A thread's pinning, {@link #release()}d when its loop closes; releasing restores the mask it had. */
    static final class Pin {
        private static final Pin NONE = new Pin(null, Loop.Options.UNPINNED);

        private final BitSet previous;
        private final int cpu;
        private boolean released;

        private Pin(BitSet previous, int cpu) {
            this.previous = previous;
            this.cpu = cpu;
        }

        /** The CPU, or {@link Loop.Options#UNPINNED}. */
        int cpu() {
            return cpu;
        }

        /** Gives the calling thread (the one that was pinned) back the CPUs it had; once. A failure is logged. */
        void release() {
            if (previous == null || released) {
                return;
            }
            released = true;
            try {
                Native.setAffinity(previous);
            } catch (RuntimeException e) {
                LoopErrors.LOG.log(System.Logger.Level.WARNING, "could not give " + Thread.currentThread()
                        + " back the CPUs it had before its loop pinned it to CPU " + cpu, e);
            }
        }
    }

    /**
     * Pins the calling thread to {@code cpu} and returns the pin to release; {@link Loop.Options#UNPINNED} pins
     * nothing.
     *
     * @throws UnsupportedOperationException on an OS other than Linux
     * @throws IllegalStateException         on a virtual thread, or when the kernel refuses
     * @throws IllegalArgumentException      for a CPU outside the set this process may run on
     */
    static Pin pinCurrentThread(int cpu) {
        if (cpu == Loop.Options.UNPINNED) {
            return Pin.NONE;
        }
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new UnsupportedOperationException("pinning a loop's thread to CPU " + cpu + " (Loop.Options.withCpu) needs"
                    + " Linux's sched_setaffinity, and this is " + os + ": open the loop without a CPU (Options.UNPINNED)");
        }
        Thread thread = Thread.currentThread();
        if (thread.isVirtual()) {
            throw new IllegalStateException(thread + " is a virtual thread: it runs on whichever carrier thread the JDK"
                    + " picks, so pinning it to CPU " + cpu + " would pin a carrier, not the loop; open the loop on a"
                    + " platform thread (Thread.ofPlatform()) to pin it");
        }
        BitSet allowed = allowedCpus();
        if (!allowed.get(cpu)) {
            throw new IllegalArgumentException("CPU " + cpu + " is outside the CPUs this process may run on ("
                    + cpuList(allowed) + ": taskset, the container's cpuset or the machine's size set them); pin the loop"
                    + " to one of those");
        }
        BitSet previous = Native.affinity(0);
        BitSet only = new BitSet();
        only.set(cpu);
        Native.setAffinity(only);
        return new Pin(previous, cpu);
    }

    /** The CPUs this process may run on: its first thread's affinity, which greenloop never changes. Linux only. */
    static BitSet allowedCpus() {
        return Native.affinity((int) ProcessHandle.current().pid());
    }

    /** The calling thread's affinity now. Linux only. */
    static BitSet currentThreadCpus() {
        return Native.affinity(0);
    }

    /** {@code cpus} as {@code taskset -c} writes a list: "0-3,6". */
    static String cpuList(BitSet cpus) {
        StringBuilder list = new StringBuilder();
        for (int first = cpus.nextSetBit(0); first >= 0; first = cpus.nextSetBit(cpus.nextClearBit(first))) {
            int last = cpus.nextClearBit(first) - 1;
            list.append(list.isEmpty() ? "" : ",").append(first).append(last > first ? "-" + last : "");
        }
        return list.isEmpty() ? "none" : list.toString();
    }

    /** libc's two calls, bound when first used. */
    private static final class Native {
        private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        /** {@code int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)}, errno captured. */
        private static final MethodHandle SET = bind("sched_setaffinity");
        /** {@code int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask)}, errno captured. */
        private static final MethodHandle GET = bind("sched_getaffinity");

        private static MethodHandle bind(String name) {
            Linker linker = Linker.nativeLinker();
            MemorySegment function = linker.defaultLookup().find(name).orElseThrow(() ->
                    new UnsupportedOperationException("this libc has no " + name + "; CPU pinning needs glibc or musl on Linux"));
            return linker.downcallHandle(function,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                    Linker.Option.captureCallState("errno"));
        }

        /** The affinity of thread {@code tid} (0: the calling one), growing the mask while the kernel has more CPUs. */
        static BitSet affinity(int tid) {
            for (int bytes = FIRST_MASK_BYTES; ; bytes *= 2) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment state = arena.allocate(CALL_STATE);
                    MemorySegment mask = arena.allocate(bytes, Long.BYTES);
                    int result = (int) GET.invokeExact(state, tid, (long) bytes, mask);
                    if (result == 0) {
                        return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
                    }
                    int errno = (int) ERRNO.get(state, 0L);
                    if (errno != EINVAL || bytes >= MAX_MASK_BYTES) {
                        throw failed("sched_getaffinity(" + tid + ")", errno);
                    }
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new IllegalStateException("sched_getaffinity failed: " + e, e);
                }
            }
        }

        /** Sets the calling thread's affinity to {@code cpus}. */
        static void setAffinity(BitSet cpus) {
            long[] words = cpus.toLongArray();
            int bytes = Math.max(FIRST_MASK_BYTES, words.length * Long.BYTES);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                MemorySegment mask = arena.allocate(bytes, Long.BYTES);
                MemorySegment.copy(words, 0, mask, ValueLayout.JAVA_LONG, 0, words.length);
                int result = (int) SET.invokeExact(state, 0, (long) bytes, mask);
                if (result != 0) {
                    throw failed("sched_setaffinity(" + cpuList(cpus) + ")", (int) ERRNO.get(state, 0L));
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("sched_setaffinity failed: " + e, e);
            }
        }

        private static IllegalStateException failed(String call, int errno) {
            String name = switch (errno) {
                case EINVAL -> "EINVAL: no CPU of the mask is one this thread may use (a cgroup's cpuset, an offline CPU)";
                case 1 -> "EPERM: the thread may not change this affinity";
                case 3 -> "ESRCH: no such thread";
                default -> "errno " + errno;
            };
            return new IllegalStateException(call + " failed: " + name);
        }
    }
}
