package io.greenloop;

/** {@link LoopGroup} on the NIO transport: {@code serve} takes the hand-off path (one acceptor). */
class NioLoopGroupConformanceTest extends LoopGroupConformanceTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
