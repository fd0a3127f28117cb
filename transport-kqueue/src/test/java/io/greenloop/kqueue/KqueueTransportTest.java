package io.greenloop.kqueue;

import io.greenloop.spi.Transport;
import io.greenloop.spi.unix.UnixTransportTest;

import java.io.IOException;

/** The shared transport tests on kqueue; skipped off macOS and the BSDs. */
class KqueueTransportTest extends UnixTransportTest {

    /** Long enough for the loop thread to be in its kevent wait (macOS shows no kernel wait channel to check). */
    private static final long SETTLE_MILLIS = 200;

    KqueueTransportTest() {
        super("kqueue");
    }

    @Override
    protected Transport newTransport() throws IOException {
        return new KqueueTransport();
    }

    @Override
    protected String awaitPollerWait(String threadName) throws InterruptedException {
        Thread.sleep(SETTLE_MILLIS);
        return "";
    }
}
