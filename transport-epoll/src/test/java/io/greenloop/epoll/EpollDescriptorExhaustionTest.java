package io.greenloop.epoll;

import io.greenloop.net.DescriptorExhaustionTest;

/** Descriptor exhaustion in a child JVM on the epoll transport. */
class EpollDescriptorExhaustionTest extends DescriptorExhaustionTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
