package io.greenloop.epoll;

import io.greenloop.net.NetFaultTest;

/** The network fault suite from loop's test-jar on the epoll transport. */
class EpollNetFaultTest extends NetFaultTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
