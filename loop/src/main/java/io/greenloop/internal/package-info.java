/**
 * Implementation details of greenloop (the greenlet thread factory, which reaches JDK internals, the timer heap,
 * the one conversion between durations and deadlines, logging). Public only because other greenloop packages use
 * them; not for applications or transports, and free to change.
 */
package io.greenloop.internal;
