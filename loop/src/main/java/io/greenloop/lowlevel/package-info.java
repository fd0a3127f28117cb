/**
 * The low-level layer, as Trio's {@code trio.lowlevel}: access to a loop's transport and its thread check,
 * for code that builds new waitable or I/O objects on a loop (as {@code io.greenloop.net} and
 * {@code io.greenloop.process} do). Applications do not need it; what is here may change between releases
 * more freely than the public API.
 */
package io.greenloop.lowlevel;
