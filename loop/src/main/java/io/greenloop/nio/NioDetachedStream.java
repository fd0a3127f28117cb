package io.greenloop.nio;

import io.greenloop.spi.DetachedStream;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/** A connected channel between two NIO loops: registered with no selector, or only through a cancelled key. */
record NioDetachedStream(SocketChannel channel) implements DetachedStream {

    @Override
    public String transport() {
        return "nio";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // close(2) releases the descriptor even when it reports an error; there is nothing left to undo.
        }
    }
}
