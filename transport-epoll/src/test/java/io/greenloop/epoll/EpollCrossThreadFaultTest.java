package io.greenloop.epoll;

import io.greenloop.CrossThreadFaultTest;

/** The cross-thread part of the fault suite on the epoll transport. */
class EpollCrossThreadFaultTest extends CrossThreadFaultTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
