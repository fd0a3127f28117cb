package io.greenloop.spi.unix;

import io.greenloop.internal.AddOpens;

import java.io.IOException;
import java.lang.invoke.MethodHandles;

/**
 * How a native transport reaches the package-private natives of Netty's JNI binding (the epoll event array and
 * waits, kqueue's whole native layer, {@code sendfile}): a private lookup in Netty's package, whose handles the
 * transport's bridge class keeps in {@code static final} fields, so that the JIT treats them as constants and a
 * call through one costs what a direct call costs.
 *
 * <p>On the class path that needs no flag. On the module path Netty's jars are named modules that export their
 * packages but do not open them, so each native transport needs one flag, for example
 * {@code --add-opens io.netty.transport.classes.epoll/io.netty.channel.epoll=greenloop.transport.epoll};
 * {@link #privateLookupIn} fails with a message that gives it. A member that the Netty found lacks is a
 * {@link LinkageError}, which the transport's provider reports as its unavailability cause, so
 * {@code Loop.open()} falls back to NIO with one logged line. Any thread (stateless).
 */
public final class NettyInternals {

    private NettyInternals() {
    }

    /**
     * Finds one member of Netty's; {@link NettyInternals#resolve} turns its failure into a {@link LinkageError}.
     *
     * @param <T> what it finds: a method handle or a var handle
     */
    @FunctionalInterface
    public interface Finder<T> {
        /**
         * Finds the member, as a {@link java.lang.invoke.MethodHandles.Lookup} does.
         *
         * @return the handle of the member
         * @throws ReflectiveOperationException when this Netty has no such member, or hides it
         */
        T find() throws ReflectiveOperationException;
    }

    /**
     * A lookup with full access to the package of {@code nettyClass}, for {@code caller} (the bridge's own
     * {@code MethodHandles.lookup()}); throws {@link IllegalStateException} naming the {@code --add-opens} flag
     * when that package is not open to the caller's module.
     *
     * @param nettyClass a class of the Netty package to reach into
     * @param caller     the bridge's own lookup
     * @return a lookup with private access to that package
     */
    public static MethodHandles.Lookup privateLookupIn(Class<?> nettyClass, MethodHandles.Lookup caller) {
        try {
            return MethodHandles.privateLookupIn(nettyClass, caller);
        } catch (IllegalAccessException | RuntimeException e) {
            Module reader = caller.lookupClass().getModule();
            String flag = AddOpens.flag(nettyClass, reader);
            String who = reader.isNamed() ? reader.getName() : caller.lookupClass().getName();
            if (flag == null) {
                throw new IllegalStateException(who + " cannot reach the package-private members of " + nettyClass.getPackageName()
                        + " (" + e.getMessage() + "); put greenloop and Netty on the same path, both on the class path or both"
                        + " on the module path", e);
            }
            throw new IllegalStateException(who + " needs the JVM flag " + flag + " to call the package-private natives of "
                    + nettyClass.getPackageName() + ", which Netty's module exports but does not open; add it to the java"
                    + " command (or bake it into a jlink image with --add-options). Cause: " + e.getMessage(), e);
        }
    }

    /**
     * What {@code finder} finds; a member this Netty lacks or hides throws {@link IncompatibleClassChangeError}
     * saying which, so that the transport counts as unavailable rather than failing in a running loop.
     *
     * @param <T>    what it finds: a method handle or a var handle
     * @param finder the lookup of one member
     * @return the handle found
     */
    public static <T> T resolve(Finder<T> finder) {
        try {
            return finder.find();
        } catch (ReflectiveOperationException e) {
            IncompatibleClassChangeError error = new IncompatibleClassChangeError("the Netty found lacks a package-private member"
                    + " that greenloop's native transport calls (" + e + "); use the Netty version the transport was built for");
            error.initCause(e);
            throw error;
        }
    }

    /**
     * What a call through a handle that declares {@link IOException} threw, for the caller to throw: an
     * {@link IOException} as it is; unchecked ones are thrown from here as they are.
     *
     * @param thrown what the call threw
     * @return the {@link IOException} to throw
     */
    public static IOException ioFailure(Throwable thrown) {
        if (thrown instanceof IOException io) {
            return io;
        }
        throw unchecked(thrown);
    }

    /**
     * What a call through a handle that declares no checked exception threw, for the caller to throw: an
     * {@link Error} is thrown from here as it is, a {@link RuntimeException} returned as it is, anything else
     * (which such a handle cannot throw) wrapped in an {@link IllegalStateException}.
     *
     * @param thrown what the call threw
     * @return the {@link RuntimeException} to throw
     */
    public static RuntimeException unchecked(Throwable thrown) {
        if (thrown instanceof Error error) {
            throw error;
        }
        return thrown instanceof RuntimeException runtime ? runtime
                : new IllegalStateException("a Netty native call threw " + thrown, thrown);
    }
}
