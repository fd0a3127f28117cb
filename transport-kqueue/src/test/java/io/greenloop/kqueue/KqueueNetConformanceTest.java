package io.greenloop.kqueue;

import io.greenloop.net.NetConformanceTest;

/** The networking conformance suite from loop's test-jar, unchanged, on kqueue; skipped where kqueue is missing. */
class KqueueNetConformanceTest extends NetConformanceTest {

    @Override
    protected String transport() {
        return "kqueue";
    }
}
