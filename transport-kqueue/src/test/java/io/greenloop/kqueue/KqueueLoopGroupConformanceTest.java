package io.greenloop.kqueue;

import io.greenloop.LoopGroupConformanceTest;

/** {@link io.greenloop.LoopGroup} from loop's test-jar on kqueue (the hand-off path); skipped where kqueue is missing. */
class KqueueLoopGroupConformanceTest extends LoopGroupConformanceTest {

    @Override
    protected String transport() {
        return "kqueue";
    }
}
