package io.greenloop.epoll;

import io.greenloop.spi.unix.UnixGreenletsTest;

/** The shared greenlet tests on a loop opened with {@code Loop.open("epoll")}. */
class EpollGreenletsTest extends UnixGreenletsTest {

    EpollGreenletsTest() {
        super("epoll");
    }
}
