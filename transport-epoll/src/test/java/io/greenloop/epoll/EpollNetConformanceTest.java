package io.greenloop.epoll;

import io.greenloop.net.NetConformanceTest;

/** The networking conformance suite from loop's test-jar, unchanged, on the epoll transport. */
class EpollNetConformanceTest extends NetConformanceTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
