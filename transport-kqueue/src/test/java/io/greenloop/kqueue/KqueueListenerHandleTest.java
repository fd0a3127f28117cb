package io.greenloop.kqueue;

import io.greenloop.spi.unix.UnixListenerHandleTest;

/** The shared listener handle tests on kqueue; skipped off macOS and the BSDs. */
class KqueueListenerHandleTest extends UnixListenerHandleTest {

    KqueueListenerHandleTest() {
        super("kqueue");
    }
}
