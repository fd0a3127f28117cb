/**
 * The kqueue transport (macOS, the BSDs), on Netty's JNI binding. Applications only put this module on the
 * class or module path; {@code Loop.open()} finds its provider. The bridge to Netty's package-private natives is
 * {@code KqueueBridge}.
 */
package io.greenloop.kqueue;
