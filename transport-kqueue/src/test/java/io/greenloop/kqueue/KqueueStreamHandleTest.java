package io.greenloop.kqueue;

import io.greenloop.spi.unix.UnixStreamHandleTest;

/** The shared stream handle tests on kqueue; skipped off macOS and the BSDs. */
class KqueueStreamHandleTest extends UnixStreamHandleTest {

    KqueueStreamHandleTest() {
        super("kqueue");
    }
}
