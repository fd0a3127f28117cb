package io.greenloop.kqueue;

import io.greenloop.spi.unix.UnixDatagramHandleTest;

/** The shared UDP handle tests on kqueue; skipped off macOS and the BSDs. */
class KqueueDatagramHandleTest extends UnixDatagramHandleTest {

    KqueueDatagramHandleTest() {
        super("kqueue");
    }
}
