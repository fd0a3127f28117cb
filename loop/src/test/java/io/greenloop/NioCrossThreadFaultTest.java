package io.greenloop;

/** The cross-thread part of the fault suite on the NIO transport. */
class NioCrossThreadFaultTest extends CrossThreadFaultTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
