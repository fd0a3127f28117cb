/**
 * Child processes for applications ({@link io.greenloop.process.Subprocess}, gevent's subprocess): pipes
 * read and written without blocking the loop, waits that park the greenlet. Loop-bound.
 */
package io.greenloop.process;
