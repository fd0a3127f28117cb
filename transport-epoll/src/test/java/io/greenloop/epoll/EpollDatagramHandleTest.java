package io.greenloop.epoll;

import io.greenloop.spi.unix.UnixDatagramHandleTest;

/** The shared UDP handle tests on epoll, which must run on Linux. */
class EpollDatagramHandleTest extends UnixDatagramHandleTest {

    EpollDatagramHandleTest() {
        super("epoll");
    }
}
