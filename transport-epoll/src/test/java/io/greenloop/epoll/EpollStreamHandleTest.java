package io.greenloop.epoll;

import io.greenloop.spi.unix.UnixStreamHandleTest;

/** The shared stream handle tests on epoll, which must run on Linux. */
class EpollStreamHandleTest extends UnixStreamHandleTest {

    EpollStreamHandleTest() {
        super("epoll");
    }
}
