package io.greenloop.kqueue;

import io.greenloop.spi.unix.UnixTransportTest;


/** The shared transport tests on kqueue; skipped off macOS and the BSDs. */
class KqueueTransportTest extends UnixTransportTest {

    /** Long enough for the loop thread to be in its kevent wait (macOS shows no kernel wait channel to check). */
    private static final long SETTLE_MILLIS = 200;

    KqueueTransportTest() {
        super("kqueue", KqueueTransport::new);
    }

    @Override
    protected String awaitPollerWait(String threadName) throws InterruptedException {
        Thread.sleep(SETTLE_MILLIS);
        return "";
    }
}
