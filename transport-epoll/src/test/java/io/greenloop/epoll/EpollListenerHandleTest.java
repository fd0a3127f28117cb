package io.greenloop.epoll;

import io.greenloop.spi.unix.UnixListenerHandleTest;

/** The shared listener handle tests on epoll, which must run on Linux. */
class EpollListenerHandleTest extends UnixListenerHandleTest {

    EpollListenerHandleTest() {
        super("epoll");
    }
}
