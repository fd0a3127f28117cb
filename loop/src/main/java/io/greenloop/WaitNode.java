package io.greenloop;

/**
 * A node of a {@link WaitList}: a parked {@link Waiter} (its own node, so that a wait allocates one object, not
 * a waiter and a list entry) or a callback linked to a {@link Links}. In at most one list at a time. Loop thread only.
 */
abstract class WaitNode {

    WaitNode prev;
    WaitNode next;
    /** Whether it is in a list now. */
    boolean linked;
    /** {@link Links} only: its owner was made ready while it was linked, so it runs even if the owner no longer is. */
    boolean released;
}
