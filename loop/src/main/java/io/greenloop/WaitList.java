package io.greenloop;

/**
 * An intrusive doubly linked FIFO list of {@link WaitNode}s, first parked first served: what {@link Links} and
 * {@link WaitQueue} are built on (they extend it, so a list costs no object of its own). Appending and removing
 * are O(1), and removing a node that is no longer linked does nothing, so a wait that ends by timeout, kill or
 * wake-up can always just remove itself. Loop thread only.
 */
abstract class WaitList {

    WaitNode head;
    WaitNode tail;
    private int size;

    /** Whether no node is linked. */
    final boolean isEmpty() {
        return size == 0;
    }

    /** How many nodes are linked. */
    final int size() {
        return size;
    }

    /** Links {@code node} at the tail. */
    final void append(WaitNode node) {
        node.linked = true;
        node.prev = tail;
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
        }
        tail = node;
        size++;
    }

    /** Unlinks {@code node}; {@code false} when it was not linked (any more). */
    final boolean remove(WaitNode node) {
        if (!node.linked) {
            return false;
        }
        node.linked = false;
        if (node.prev == null) {
            head = node.next;
        } else {
            node.prev.next = node.next;
        }
        if (node.next == null) {
            tail = node.prev;
        } else {
            node.next.prev = node.prev;
        }
        node.prev = null;
        node.next = null;
        size--;
        return true;
    }
}
