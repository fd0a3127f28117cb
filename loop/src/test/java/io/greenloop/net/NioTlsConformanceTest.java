package io.greenloop.net;

/** The TLS suite on the NIO transport, which every machine has. */
class NioTlsConformanceTest extends TlsConformanceTest {

    @Override
    protected String transport() {
        return "nio";
    }
}
