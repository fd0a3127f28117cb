/**
 * The low-level layer, as Trio's {@code trio.lowlevel}: the one door to a loop for code that builds new waitable or
 * I/O objects on it (as {@code io.greenloop.net} and {@code io.greenloop.process} do): the loop's transport, its
 * thread check, the socket budget, hand-offs from other threads and the count of cross-thread work. Applications do
 * not need it; what is here may change between releases more freely than the public API.
 */
package io.greenloop.lowlevel;
