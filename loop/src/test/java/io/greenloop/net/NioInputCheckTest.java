package io.greenloop.net;

/** The input checks on the NIO transport. */
class NioInputCheckTest extends InputCheckTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
