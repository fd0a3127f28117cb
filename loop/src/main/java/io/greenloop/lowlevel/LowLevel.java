package io.greenloop.lowlevel;

import io.greenloop.AsyncResult;
import io.greenloop.Cancellable;
import io.greenloop.Green;
import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.spi.Transport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

import static java.lang.invoke.MethodType.methodType;

/**
 * The one door to a loop for the layers built on it (as Trio's {@code trio.lowlevel}): what {@code io.greenloop.net},
 * {@code io.greenloop.process} and a third party's sockets or transport need and applications do not. A loop's
 * transport, its thread check, the cooperative socket budget, the hand-off that wakes a parked greenlet from another
 * thread, the count of cross-thread work that keeps a loop alive, and a worker thread's hand-over of a result. The
 * wait itself is {@link io.greenloop.Waiter}, greenloop's one park primitive. Each method's thread rule is its own.
 *
 * <p>The loop keeps these package-private; this class reaches them through a private lookup in its own module,
 * held in {@code static final} handles that the JIT treats as constants, so that a call costs what a direct call
 * costs. Nothing to configure: the lookup needs no flag, on the class path or the module path.
 */
public final class LowLevel {

    private static final MethodHandles.Lookup LOOP;
    private static final MethodHandle TRANSPORT;
    private static final MethodHandle REQUIRE_LOOP_THREAD;
    private static final MethodHandle IS_LOOP_THREAD;
    private static final MethodHandle SPEND_SOCKET_BUDGET;
    private static final MethodHandle HAND_OFF;
    private static final MethodHandle KEEP_ALIVE;
    private static final MethodHandle RUN_CATCHING;
    private static final MethodHandle COMPLETE;
    private static final MethodHandle BODY;

    static {
        try {
            LOOP = MethodHandles.privateLookupIn(Loop.class, MethodHandles.lookup());
            TRANSPORT = LOOP.findVirtual(Loop.class, "io", methodType(Transport.class));
            REQUIRE_LOOP_THREAD = findStatic("LoopThread", "require", methodType(void.class, Loop.class, String.class));
            IS_LOOP_THREAD = findStatic("LoopThread", "isCurrent", methodType(boolean.class, Loop.class));
            SPEND_SOCKET_BUDGET = findStatic("SocketBudget", "spend", methodType(void.class, Loop.class, String.class));
            HAND_OFF = LOOP.findVirtual(Loop.class, "handOff", methodType(void.class, Runnable.class));
            KEEP_ALIVE = LOOP.findVirtual(Loop.class, "keepAlive", methodType(Cancellable.class));
            RUN_CATCHING = findStatic("PoolTasks", "run", methodType(void.class, Callable.class, BiConsumer.class));
            COMPLETE = findStatic("PoolTasks", "complete", methodType(void.class, AsyncResult.class, Object.class, Throwable.class));
            BODY = LOOP.findVirtual(Greenlet.class, "body", methodType(Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LowLevel() {
    }

    /** A static method of the package-private class {@code io.greenloop.<simpleName>}. */
    private static MethodHandle findStatic(String simpleName, String name, MethodType type) throws ReflectiveOperationException {
        return LOOP.findStatic(LOOP.findClass("io.greenloop." + simpleName), name, type);
    }

    /**
     * The transport {@code loop} polls, to open sockets on it. (Not {@link Loop#transport()}, which is its name.)
     *
     * @param loop the loop whose transport is wanted
     * @return its transport; use it only on the loop's thread
     * @throws IllegalStateException when called off the loop's thread (the owner or one of its greenlets)
     */
    public static Transport transportOf(Loop loop) {
        Objects.requireNonNull(loop, "loop");
        try {
            return (Transport) TRANSPORT.invokeExact(loop);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * Checks that the caller is {@code loop}'s owner thread or one of its greenlets, for loop-bound objects.
     *
     * @param loop      the loop the object belongs to
     * @param operation what was called, for the message
     * @throws IllegalStateException naming {@code operation}, the loop and its owner, when called from another thread
     */
    public static void requireLoopThread(Loop loop, String operation) {
        try {
            REQUIRE_LOOP_THREAD.invokeExact(Objects.requireNonNull(loop, "loop"), operation);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * Runs {@code task} on {@code loop}'s thread and returns what says when it is done: at once, here, when the
     * caller is that loop's owner or one of its greenlets; else handed to the loop ({@link #handOff}) as a callback,
     * or, when {@code parks}, in a greenlet of its own there, for a task that waits. What the task throws completes
     * the result exceptionally. A loop closed already took whatever the task was for with it: the result is then set
     * at once. How a server on several loops starts and stops its part on each. Any thread; never waits.
     *
     * @param loop  the loop to run it on
     * @param task  what to run there
     * @param parks whether the task may park (handed over, it then runs in a greenlet; a callback must not park)
     * @return set ({@code null}) when the task has returned, or with what it threw
     */
    public static AsyncResult<Void> runOn(Loop loop, Runnable task, boolean parks) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(task, "task");
        AsyncResult<Void> done = new AsyncResult<>();
        Runnable body = () -> {
            try {
                task.run();
                done.set(null);
            } catch (Throwable e) {
                done.setException(e);
            }
        };
        boolean here;
        try {
            here = (boolean) IS_LOOP_THREAD.invokeExact(loop);
        } catch (Throwable e) {
            throw rethrown(e);
        }
        if (here) {
            body.run();
            return done;
        }
        try {
            handOff(loop, parks ? () -> loop.spawn(body::run) : body);
        } catch (RejectedExecutionException loopClosed) {
            done.set(null);
        }
        return done;
    }

    /**
     * Checks the caller as {@link #requireLoopThread} does and spends one unit of its socket budget (Tokio's
     * {@code coop}): after a few (16) socket operations in one run, a greenlet yields to the back of the ready queue before
     * its next one, so that one whose reads keep succeeding cannot hold the loop. Call it before each read or write
     * that may succeed without waiting; the owner thread outside greenlets never yields here.
     *
     * @param loop      the loop the socket belongs to
     * @param operation what was called, for the message
     * @throws IllegalStateException when called from another thread
     */
    public static void spendSocketBudget(Loop loop, String operation) {
        try {
            SPEND_SOCKET_BUDGET.invokeExact(Objects.requireNonNull(loop, "loop"), operation);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * Runs {@code callback} on {@code loop} soon, as {@link Loop#execute} does, but never refused for the loop's
     * bound on pending callbacks ({@link Loop.Options#withMaxPendingCallbacks}): for what a parked greenlet waits
     * for (a result from another thread, a chunk of a pipe), which must reach it however busy the loop is.
     * Thread-safe; never waits.
     *
     * @param loop     the loop to run it on
     * @param callback what to run on the loop's thread
     * @throws java.util.concurrent.RejectedExecutionException if the loop is closed
     */
    public static void handOff(Loop loop, Runnable callback) {
        try {
            HAND_OFF.invokeExact(Objects.requireNonNull(loop, "loop"), callback);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * Counts work done outside the loop (a task on another thread, a child process) as pending until the returned
     * handle is cancelled: meanwhile the loop stays alive, {@link Loop#run()} and {@code Green.waitAll()} keep
     * waiting, and a loop-owning thread waiting for that work polls instead of throwing {@code LoopExit}.
     * Thread-safe, both ways; a cancel from another thread wakes the loop to look again.
     *
     * @param loop the loop the work keeps alive
     * @return the handle to cancel when the work is done; a second cancel does nothing
     */
    public static Cancellable keepAlive(Loop loop) {
        try {
            return (Cancellable) KEEP_ALIVE.invokeExact(Objects.requireNonNull(loop, "loop"));
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * Runs {@code task} on the calling thread (a worker, not a loop) and hands {@code outcome} its value, or
     * {@code null} and whatever it threw; with {@link #complete}, how a worker answers greenlets that wait for it.
     *
     * @param <T>     the type of the value
     * @param task    what the worker runs
     * @param outcome takes the value and the failure ({@code null} when it returned)
     */
    public static <T> void runCatching(Callable<T> task, BiConsumer<T, Throwable> outcome) {
        try {
            RUN_CATCHING.invokeExact(task, outcome);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * Completes {@code result} from any thread with {@code failure}, or with {@code value} when there is none. When
     * the loop waiting for it has closed meanwhile, nobody is left to tell, and nothing is thrown.
     *
     * @param <T>     the type of the value
     * @param result  what a greenlet waits for; not completed yet
     * @param value   the value, when {@code failure} is {@code null}
     * @param failure the exception, or {@code null}
     */
    public static <T> void complete(AsyncResult<T> result, T value, Throwable failure) {
        try {
            COMPLETE.invokeExact((AsyncResult<?>) result, (Object) value, failure);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * What the calling greenlet was spawned to run (the {@code Callable} or runnable given to {@code spawn}), or
     * {@code null} outside greenlets: how a layer that spawns greenlets with bodies of its own finds its state for
     * the running one, at no cost to the greenlets (a server's {@code isStopping()} finds its connection so). Any
     * thread; never waits.
     *
     * @return the calling greenlet's body, or {@code null} when the caller is no greenlet
     */
    public static Object currentGreenletBody() {
        Greenlet<?> current = Green.current();
        if (current == null) {
            return null;
        }
        try {
            return (Object) BODY.invokeExact(current);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /**
     * Rethrows what a call through a handle threw, as it is: the targets declare no checked exception, and
     * {@code invokeExact} declares {@link Throwable} only because it can call anything.
     */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrown(Throwable thrown) throws E {
        throw (E) thrown;
    }
}
