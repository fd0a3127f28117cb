package io.greenloop.kqueue;

import io.greenloop.spi.unix.UnixGreenletsTest;

/** The shared greenlet tests on a loop opened with {@code Loop.open("kqueue")}; skipped off macOS and the BSDs. */
class KqueueGreenletsTest extends UnixGreenletsTest {

    KqueueGreenletsTest() {
        super("kqueue");
    }
}
