package io.greenloop.smoke;

import io.greenloop.Greenlet;
import io.greenloop.Loop;
import io.greenloop.net.TcpListener;
import io.greenloop.net.TcpSocket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Opens a loop, serves a TCP echo over loopback from one greenlet to another, and checks that the loop got the
 * transport named on the command line (epoll on Linux, kqueue on macOS), not a fallback to nio, and that greenloop
 * ran as named modules. Given a CPU too, it pins the loop's thread there first (Linux), which calls libc through
 * {@code java.lang.foreign} from the loop module. Exits 1 with the reason when any of that fails. Run by
 * .ci/module-path on the module path and in a jlink image.
 */
public final class EchoSmoke {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String MESSAGE = "greenloop on the module path";

    private EchoSmoke() {
    }

    /** Usage: {@code EchoSmoke TRANSPORT [CPU]}, the transport the loop must get and the CPU to pin it to. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1 && args.length != 2) {
            fail("usage: EchoSmoke TRANSPORT [CPU] (the transport the loop must get: epoll or kqueue; the CPU to pin it to)");
        }
        Loop.Options options = args.length == 2 ? Loop.Options.defaults().withCpu(Integer.parseInt(args[1])) : Loop.Options.defaults();
        String expected = args[0];
        String transportModule = "greenloop.transport." + expected;
        if (!Loop.class.getModule().isNamed() || ModuleLayer.boot().findModule(transportModule).isEmpty()) {
            fail("greenloop is not on the module path: loop in " + Loop.class.getModule() + ", " + transportModule
                    + (ModuleLayer.boot().findModule(transportModule).isPresent() ? " resolved" : " not resolved"));
        }
        try (Loop loop = Loop.open(options)) {
            if (!loop.transport().equals(expected)) {
                fail("the loop got " + loop.transport() + ", not " + expected + " (available: " + Loop.availableTransports()
                        + "); the line logged above says why " + expected + " is unavailable");
            }
            String echoed = echoOverLoopback(loop);
            if (!echoed.equals(MESSAGE)) {
                fail("the echo returned \"" + echoed + "\", not \"" + MESSAGE + "\"");
            }
            System.out.println("module-path smoke: " + loop.transport() + " echoed \"" + echoed + "\" ("
                    + Loop.class.getModule().getDescriptor().toNameAndVersion()
                    + (args.length == 2 ? ", pinned to CPU " + args[1] : "") + ")");
        }
    }

    /** One greenlet serves a connection, echoing until end of stream; another sends the message and reads it back. */
    private static String echoOverLoopback(Loop loop) throws Exception {
        try (TcpListener listener = TcpListener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8)) {
            Greenlet<Void> server = loop.spawn(() -> {
                try (TcpSocket socket = listener.accept()) {
                    socket.setTimeout(PATIENCE);
                    byte[] buffer = new byte[64];
                    for (int n; (n = socket.read(buffer, 0, buffer.length)) > 0; ) {
                        socket.write(buffer, 0, n);
                    }
                }
            });
            Greenlet<String> client = loop.spawn(() -> {
                try (TcpSocket socket = TcpSocket.connect(listener.localAddress(), PATIENCE)) {
                    socket.setTimeout(PATIENCE);
                    byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
                    socket.write(message, 0, message.length);
                    socket.shutdownOutput();
                    return new String(socket.inputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            String echoed = client.get();  // this thread owns the loop: get() drives it until the client is done
            server.get();
            return echoed;
        } catch (IOException e) {
            throw new IOException("the loopback echo failed: " + e.getMessage(), e);
        }
    }

    private static void fail(String reason) {
        System.err.println("module-path smoke FAILED: " + reason);
        System.exit(1);
    }
}
