package io.greenloop.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A non-blocking TCP connection. Operations that would block return a result that says so
 * ({@code 0}, {@code false}) instead of throwing; real failures are {@link IOException}s, the same type for the
 * same fault on every transport: a reset, a broken pipe and a write after {@link #shutdownOutput()} are
 * {@link java.net.SocketException}s (the {@code java.net} convention), a refused connect a
 * {@link java.net.ConnectException}, and any operation on a closed handle a
 * {@link java.nio.channels.ClosedChannelException}. The conformance suite's fault table checks it.
 */
public interface StreamHandle extends IoHandle {

    /**
     * Starts connecting; {@code true} when connected at once, {@code false} when {@link #WRITE} readiness will tell.
     *
     * @param remote the address to connect to
     * @return {@code true} when connected at once, {@code false} when the connect is in progress
     * @throws IOException if the operation fails; the message says what failed
     */
    boolean connect(InetSocketAddress remote) throws IOException;

    /**
     * Finishes a connect after {@link #WRITE} readiness: {@code true} when connected, {@code false} when
     * still in progress; a refused connection throws {@link java.net.ConnectException}.
     *
     * @return {@code true} when connected, {@code false} when still in progress
     * @throws IOException if the operation fails; the message says what failed
     */
    boolean finishConnect() throws IOException;

    /**
     * Reads into {@code dst} from its position: bytes read, {@code 0} when it would block, {@code -1} at end of
     * stream.
     *
     * @param dst where the bytes go, from its position up to its limit
     * @return the bytes read, {@code 0} when it would block, {@code -1} at end of stream
     * @throws IOException if the operation fails; the message says what failed
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Whether a {@link #read} now may find data: {@code false} when the last read found the receive queue
     * empty or drained it (a short read) and no readiness was reported since, so the caller can wait for
     * {@link #READ} readiness first and save a read that would return 0. The transport still reports data
     * that arrives after that read. Transports that cannot tell return {@code true}.
     *
     * @return whether a {@link #read} now may find data
     */
    default boolean mayBeReadable() {
        return true;
    }

    /**
     * Writes from {@code src}'s position: bytes written, {@code 0} when the send buffer is full.
     *
     * @param src the bytes to write, from its position to its limit
     * @return the bytes written, {@code 0} when the send buffer is full
     * @throws IOException if the operation fails; the message says what failed
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * Writes from {@code srcs[offset]} to {@code srcs[offset + length - 1]}, in order, each from its position,
     * in as few system calls as the transport can ({@code writev}, a gathering channel write): bytes written,
     * {@code 0} when the send buffer is full. It may stop at any byte, like {@link #write(ByteBuffer)}.
     *
     * @param srcs the buffers to write, in order, each from its position to its limit
     * @param offset the index of the first buffer
     * @param length how many buffers, from {@code offset} on
     * @return the bytes written, {@code 0} when the send buffer is full
     * @throws IOException if the operation fails; the message says what failed
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code position} ({@code sendfile(2)} where the
     * transport can): bytes sent, {@code 0} when the send buffer is full or {@code position} is at the end of the file.
     *
     * @param file the file
     * @param position where in the file to start
     * @param count how many
     * @return the bytes sent, {@code 0} when the send buffer is full or the file has ended
     * @throws IOException if the operation fails; the message says what failed
     */
    long transferFrom(FileChannel file, long position, long count) throws IOException;

    /**
     * Takes the connected socket out of this transport without closing it, for another loop's transport to
     * adopt; this handle is closed afterwards (its listener is never called again).
     *
     * @return the socket, for {@link Transport#adoptStream} of another loop
     * @throws IOException if the operation fails; the message says what failed
     */
    DetachedStream detach() throws IOException;

    /**
     * Half-closes the connection for writing (sends FIN).
     *
     * @throws IOException if the operation fails; the message says what failed
     */
    void shutdownOutput() throws IOException;

    /**
     * Sets a socket option such as {@code TCP_NODELAY} or {@code SO_RCVBUF}.
     *
     * @param <T> the type of the value
     * @param option the option
     * @param value the value
     * @throws IOException if the operation fails; the message says what failed
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /**
     * Reads a socket option back; one the transport does not support throws
     * {@link UnsupportedOperationException} naming it.
     *
     * @param <T> the type of the value
     * @param option the option
     * @return its value
     * @throws IOException if the operation fails; the message says what failed
     */
    <T> T option(SocketOption<T> option) throws IOException;

    /**
     * The local address, or {@code null} when unbound.
     *
     * @return the local address, or {@code null} when unbound
     * @throws IOException if the operation fails; the message says what failed
     */
    InetSocketAddress localAddress() throws IOException;

    /**
     * The peer's address, or {@code null} when not connected.
     *
     * @return the peer's address, or {@code null} when not connected
     * @throws IOException if the operation fails; the message says what failed
     */
    InetSocketAddress remoteAddress() throws IOException;
}
