package io.greenloop;

/**
 * Ties a loop-confined object (a {@link Semaphore}, {@link Queue}, {@link Pool}) to the loop of the first
 * strand that uses it ({@link Strand#resolve()}: on a thread with no loop, its default loop, opened then),
 * and refuses every other thread after that with a message naming the owner. The objects themselves can
 * be made anywhere, even before a loop is opened.
 */
final class LoopBinding {

    private Loop loop;

    /**
     * The bound loop, binding it to the caller's on first use; throws {@link IllegalStateException} when
     * the caller is neither that loop's owner thread nor one of its greenlets.
     */
    Loop check(Object object, String operation) {
        Loop bound = loop;
        if (bound == null) {
            loop = bound = Strand.resolve().loop;
        } else if (bound.thread.currentStrand() == null) {
            throw new IllegalStateException(operation + " on " + object + " was called on " + Thread.currentThread()
                    + ", but it belongs to " + loop + ": use it inside that loop's greenlets or on its owner thread,"
                    + " or hand the call over with loop.execute(...)");
        }
        return bound;
    }

    /** The calling strand, once {@link #check} passed. */
    Strand caller() {
        return loop.thread.currentStrand();
    }
}
