package io.greenloop.net;

/** Descriptor exhaustion on the NIO transport. */
class NioDescriptorExhaustionTest extends DescriptorExhaustionTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
