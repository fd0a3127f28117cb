/**
 * The epoll transport (Linux), on Netty's JNI binding. Applications only put this module on the class or module
 * path; {@code Loop.open()} finds its provider. The bridge to Netty's package-private natives is
 * {@code EpollBridge}.
 */
package io.greenloop.epoll;
