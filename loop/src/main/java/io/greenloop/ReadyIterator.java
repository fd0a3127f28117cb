package io.greenloop;

import io.greenloop.internal.Deadline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One iteration of {@link Green#iwait}: links to every object that is not ready yet, buffers each one in
 * a {@link Queue} as its link fires, and yields the ones ready already first, then the others as they
 * become ready. {@link #hasNext()} is the call that parks; once the objects are exhausted, the deadline
 * passes, or a kill or {@link Timeout} is raised from it, every link is cancelled. Loop thread only.
 */
final class ReadyIterator<W extends Waitable> implements Iterator<W> {

    private final Queue<W> ready = new Queue<>();
    private final List<Cancellable> links = new ArrayList<>();
    private final Deadline deadline;
    private int remaining;
    private W next;

    ReadyIterator(List<W> objects, Duration timeout) {
        this.deadline = Deadline.after(timeout);
        this.remaining = objects.size();
        Strand.resolve();  // a loop-bound call even when there is nothing to wait for (see Strand)
        try {
            for (W object : objects) {
                if (object.ready()) {
                    ready.offer(object);
                } else {
                    links.add(object.onReady(() -> ready.offer(object)));
                }
            }
        } catch (RuntimeException | Error e) {
            finish();
            throw e;
        }
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (remaining == 0) {
            return false;
        }
        try {
            next = ready.poll(deadline.remaining());
        } catch (RuntimeException | Error e) {
            finish();
            throw e;
        }
        if (next == null) {
            finish();
            return false;
        }
        if (--remaining == 0) {
            finish();
        }
        return true;
    }

    @Override
    public W next() {
        if (!hasNext()) {
            throw new NoSuchElementException(remaining == 0 ? "every object has been yielded" : "the timeout passed");
        }
        W object = next;
        next = null;
        return object;
    }

    /** Stops the iteration early and cancels its links. */
    void abandon() {
        finish();
    }

    private void finish() {
        remaining = 0;
        links.forEach(Cancellable::cancel);
        links.clear();
    }
}
