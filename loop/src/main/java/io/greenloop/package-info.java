/**
 * greenloop's public API, for applications: {@link io.greenloop.Loop}, {@link io.greenloop.Green},
 * {@link io.greenloop.Greenlet}, {@link io.greenloop.Timeout} and the synchronization objects (Event,
 * AsyncResult, Semaphore, Queue, Pool, Group, Waiter, ThreadPool), gevent's names in Java. A loop belongs to
 * the thread that opened it; each type's javadoc says which of its methods other threads may call.
 */
package io.greenloop;
