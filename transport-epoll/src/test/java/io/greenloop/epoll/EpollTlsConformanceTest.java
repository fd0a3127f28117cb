package io.greenloop.epoll;

import io.greenloop.net.TlsConformanceTest;

/** The TLS suite from loop's test-jar, unchanged, on the epoll transport. */
class EpollTlsConformanceTest extends TlsConformanceTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
