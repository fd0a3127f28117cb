package io.greenloop.kqueue;

import io.greenloop.net.ServerFeaturesConformanceTest;

/** Gathering writes, sendfile and option getters from loop's test-jar, unchanged, on kqueue; skipped where kqueue is missing. */
class KqueueServerFeaturesConformanceTest extends ServerFeaturesConformanceTest {

    @Override
    protected String transport() {
        return "kqueue";
    }
}
