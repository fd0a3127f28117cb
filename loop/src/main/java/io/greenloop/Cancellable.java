package io.greenloop;

/** Something armed that can be disarmed: a timer, a link. */
public interface Cancellable {
    /**
     * Disarms it; {@code true} when it was still armed, {@code false} when it had already run or been cancelled.
     *
     * @return {@code true} when it was still armed
     */
    boolean cancel();
}
