package io.greenloop.epoll;

import io.greenloop.net.SoakTest;

/** The long runs of the fault suite on the epoll transport. */
class EpollSoakTest extends SoakTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
