/**
 * Implementation details of the loop (the greenlet thread factory, which reaches JDK internals, the timer
 * heap, the door from {@code io.greenloop.lowlevel} to the loop). Public only because other greenloop
 * packages use them; not for applications or transports, and free to change.
 */
package io.greenloop.internal;
