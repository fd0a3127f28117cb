package io.greenloop.epoll;

import io.greenloop.net.ServerFeaturesConformanceTest;

/** Gathering writes, sendfile and option getters from loop's test-jar, unchanged, on the epoll transport. */
class EpollServerFeaturesConformanceTest extends ServerFeaturesConformanceTest {

    @Override
    protected String transport() {
        return "epoll";
    }
}
