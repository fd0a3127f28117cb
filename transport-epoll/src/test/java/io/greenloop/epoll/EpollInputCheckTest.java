package io.greenloop.epoll;

import io.greenloop.net.InputCheckTest;

/** The input checks on the epoll transport. */
class EpollInputCheckTest extends InputCheckTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
