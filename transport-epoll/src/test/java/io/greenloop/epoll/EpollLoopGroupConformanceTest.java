package io.greenloop.epoll;

import io.greenloop.LoopGroupConformanceTest;

/** {@link io.greenloop.LoopGroup} from loop's test-jar on epoll: {@code serve} opens a SO_REUSEPORT listener per loop. */
class EpollLoopGroupConformanceTest extends LoopGroupConformanceTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
