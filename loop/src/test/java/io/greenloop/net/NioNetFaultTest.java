package io.greenloop.net;

/** The network fault suite on the NIO transport. */
class NioNetFaultTest extends NetFaultTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
