package io.greenloop.internal;

import io.greenloop.Greenlet;
import io.greenloop.Loop;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** Programs that {@link GreenletThreadsTest} runs in fresh JVMs. */
public final class JvmProbes {

    private JvmProbes() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "open-loop" -> Loop.open().close();
            case "pollers" -> pollers();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * The first blocking socket read of this JVM happens inside a greenlet. Were the JDK's sub-pollers
     * started there, they would live on that loop and die with it: the same read on a plain virtual
     * thread afterwards would hang.
     */
    private static void pollers() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread echo = Thread.ofPlatform().daemon().start(() -> echoForever(server));
            Loop loop = Loop.open();
            Greenlet<Integer> greenlet = loop.spawn(() -> roundTrip(server.getLocalPort()));
            if (greenlet.get() != 7) {
                throw new AssertionError("bad echo in the greenlet");
            }
            loop.close();
            Thread plain = Thread.ofVirtual().start(() -> {
                try {
                    if (roundTrip(server.getLocalPort()) == 7) {
                        System.out.println("socket I/O after the loop closed: ok");
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            if (!plain.join(java.time.Duration.ofSeconds(20))) {
                System.out.println("socket I/O after the loop closed: hung");
                System.exit(2);
            }
            echo.interrupt();
        }
    }

    private static int roundTrip(int port) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(15));
            Thread.sleep(20); // make the read below park in the JDK's poller rather than find data at once
            OutputStream out = socket.getOutputStream();
            out.write(7);
            out.flush();
            InputStream in = socket.getInputStream();
            return in.read();
        }
    }

    private static void echoForever(ServerSocket server) {
        while (true) {
            try {
                Socket client = server.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (client) {
                        int b;
                        while ((b = client.getInputStream().read()) >= 0) {
                            Thread.sleep(30);
                            client.getOutputStream().write(b);
                        }
                    } catch (Exception ignored) {
                        // the probe's client went away
                    }
                });
            } catch (Exception e) {
                return;
            }
        }
    }
}
