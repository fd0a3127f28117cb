/**
 * The kqueue transport (macOS, the BSDs), on Netty's JNI binding. Applications only put this module on the
 * class path; {@code Loop.open()} finds its provider. The bridge to Netty's package-private natives lives in
 * {@code io.netty.channel.kqueue.GreenloopKqueueAccess}.
 */
package io.greenloop.kqueue;
