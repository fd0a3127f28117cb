package io.greenloop.net;

/** The networking conformance suite on the NIO transport, which every machine has. */
class NioNetConformanceTest extends NetConformanceTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
