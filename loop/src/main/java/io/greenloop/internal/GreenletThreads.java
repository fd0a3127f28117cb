package io.greenloop.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.concurrent.Executor;

/**
 * The only class that reaches into the JDK for virtual threads with a scheduler of our own: the
 * package-private {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)} constructor (JDK 21
 * to 25). When the JDK offers a public API for custom schedulers, this file is the one to replace. It
 * also tells, for the blocked-loop report only, which virtual thread a continuation task runs.
 *
 * <p>It needs {@link #REQUIRED_FLAG}: {@code --add-opens java.base/java.lang=ALL-UNNAMED} on the class path, or
 * {@code --add-opens java.base/java.lang=greenloop.loop} when greenloop runs on the module path; without it
 * {@link #ensureAvailable()} throws an {@link IllegalStateException} that names the flag.
 */
public final class GreenletThreads {

    /**
     * The JVM flag greenloop needs, made once here so every message gives it the same way: it opens
     * {@code java.lang} to the module this class is in (greenloop's own on the module path, else the class path's).
     */
    public static final String REQUIRED_FLAG = AddOpens.flag(Thread.class, GreenletThreads.class.getModule());

    private static final MethodHandle NEW_BUILDER;
    /** {@code VirtualThread.scheduler}, to tell which loop (if any) schedules a plain virtual thread; null when unreadable. */
    private static final Field SCHEDULER = schedulerField();
    private static final Throwable UNAVAILABLE;
    /** Per task class, the field of a JDK continuation task that holds its virtual thread (or null). */
    private static final ClassValue<Field> CAPTURED_THREAD = new ClassValue<>() {
        @Override
        protected Field computeValue(Class<?> type) {
            if (!type.getName().startsWith("java.lang.VirtualThread$")) {
                return null;
            }
            for (Field field : type.getDeclaredFields()) {
                if (Thread.class.isAssignableFrom(field.getType()) && field.trySetAccessible()) {
                    return field;
                }
            }
            return null;
        }
    };

    static {
        MethodHandle handle = null;
        Throwable cause = null;
        try {
            Class<?> builderClass = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(builderClass, MethodHandles.lookup());
            handle = lookup.findConstructor(builderClass, MethodType.methodType(void.class, Executor.class))
                    .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            cause = e;
        }
        NEW_BUILDER = handle;
        UNAVAILABLE = cause;
        initializeJdkPollers();
    }

    private GreenletThreads() {
    }

    /** Throws {@link IllegalStateException} naming {@link #REQUIRED_FLAG} when greenlets cannot be made here. */
    public static void ensureAvailable() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("greenloop needs the JVM flag " + REQUIRED_FLAG
                    + " to run greenlets on virtual threads scheduled by its loop; add it to the java command"
                    + " (or to the argLine of your test runner). Cause: " + UNAVAILABLE, UNAVAILABLE);
        }
    }

    /**
     * A virtual-thread builder whose threads are scheduled by {@code scheduler}: it gets every continuation to run.
     *
     * @param scheduler runs the threads' continuations (a loop)
     * @return a virtual-thread builder whose threads are scheduled by {@code scheduler}
     */
    public static Thread.Builder.OfVirtual builder(Executor scheduler) {
        ensureAvailable();
        try {
            return (Thread.Builder.OfVirtual) NEW_BUILDER.invokeExact(scheduler);
        } catch (Throwable e) {
            throw new IllegalStateException("could not make a virtual-thread builder for the loop", e);
        }
    }

    /**
     * The virtual thread whose continuation {@code task} runs, when {@code task} is what the JDK handed our
     * scheduler (a bound {@code VirtualThread::runContinuation}); {@code null} for any other task or when
     * the JDK's shape differs. For the blocked-loop report only: it reflects on a JDK lambda, so it is
     * kept off every hot path and never fails.
     *
     * @param task a task that the JDK handed a scheduler
     * @return the virtual thread whose continuation {@code task} runs, when {@code task} is what the JDK handed our
     *     scheduler
     */
    public static Thread virtualThreadOf(Runnable task) {
        if (task == null) {
            return null;
        }
        Field field = CAPTURED_THREAD.get(task.getClass());
        try {
            return field == null ? null : (Thread) field.get(task);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The scheduler of virtual thread {@code thread} (a loop's for a greenlet, and for any virtual thread
     * started inside one, since a virtual thread inherits its parent's scheduler), or {@code null} for a
     * platform thread or when the JDK's shape differs.
     *
     * @param thread a virtual thread
     * @return the scheduler of virtual thread {@code thread}
     */
    public static Executor schedulerOf(Thread thread) {
        if (SCHEDULER == null || !thread.isVirtual()) {
            return null;
        }
        try {
            return (Executor) SCHEDULER.get(thread);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Field schedulerField() {
        try {
            Field field = Class.forName("java.lang.VirtualThread").getDeclaredField("scheduler");
            return field.trySetAccessible() && Executor.class.isAssignableFrom(field.getType()) ? field : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The JDK's socket sub-pollers are virtual threads started with plain {@code Thread.ofVirtual()},
     * which inherits the scheduler of the thread that starts them. Were {@code sun.nio.ch.Poller} first
     * initialised inside a greenlet, the JDK's pollers would run on that loop and stall with it. So it is
     * initialised here, from whatever platform thread first touches greenloop.
     */
    private static void initializeJdkPollers() {
        try {
            Class.forName("sun.nio.ch.Poller", true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // A JDK without that class has no sub-pollers to misplace.
        }
    }
}
