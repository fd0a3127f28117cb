package io.greenloop.net;

/** Gathering writes, sendfile and option getters on the NIO transport, which every machine has. */
class NioServerFeaturesConformanceTest extends ServerFeaturesConformanceTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
