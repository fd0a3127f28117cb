package io.greenloop.net;

/** The long runs of the fault suite on the NIO transport. */
class NioSoakTest extends SoakTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
