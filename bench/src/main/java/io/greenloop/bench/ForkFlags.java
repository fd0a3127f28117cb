package io.greenloop.bench;

/**
 * The JVM flags every benchmark fork gets, as constants so that {@code @Fork(jvmArgsAppend = ...)} can
 * name them: greenloop's one flag, Netty's native-access flag, and, for the forks that touch
 * {@code jdk.internal.vm.Continuation} directly, the export that makes it visible.
 */
final class ForkFlags {

    /** Greenlets are virtual threads built with a JDK-internal constructor; see {@code GreenletThreads}. */
    static final String ADD_OPENS = "--add-opens";
    static final String JAVA_LANG = "java.base/java.lang=ALL-UNNAMED";
    /** Netty's JNI (epoll) warns on JDK 24+ without it. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** The raw-Continuation floor calls {@code jdk.internal.vm.Continuation}. */
    static final String ADD_EXPORTS = "--add-exports";
    static final String JDK_INTERNAL_VM = "java.base/jdk.internal.vm=ALL-UNNAMED";
    /** For the informative one-carrier virtual-thread rows: the JDK's default scheduler limited to one carrier thread, as greenloop's loop is. */
    static final String ONE_CARRIER = "-Djdk.virtualThreadScheduler.parallelism=1";
    /** A fixed heap, so that heap resizing does not land inside one peer's measurement and not the other's. */
    static final String HEAP_MIN = "-Xms1g";
    static final String HEAP_MAX = "-Xmx1g";

    private ForkFlags() {
    }
}
