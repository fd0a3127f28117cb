package io.greenloop.http;


import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * An {@link HttpServer}'s bean in the platform MBean server, registered and unregistered on a thread of its
 * own: the first registration of a JVM creates the MBean server, which takes hundreds of milliseconds that a
 * loop must not spend. {@code -Dgreenloop.jmx=false} registers none, as for the loops' beans.
 */
final class HttpServerBean implements HttpServerMXBean {

    private static final ThreadPoolExecutor JMX_THREAD = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), Thread.ofPlatform().name("greenloop-http-jmx").daemon(true).factory());

    static {
        JMX_THREAD.allowCoreThreadTimeOut(true);
    }

    private final HttpServer server;
    /** Written and read on {@link #JMX_THREAD} only. */
    private ObjectName registeredAs;

    HttpServerBean(HttpServer server) {
        this.server = server;
    }

    /** The JMX name of the server called {@code name}, quoted when it has characters JMX reserves. */
    static ObjectName objectName(String name) throws JMException {
        String value = name.matches("[^,=:\"*?\\\\\n]*") ? name : ObjectName.quote(name);
        return new ObjectName("io.greenloop:type=HttpServer,name=" + value);
    }

    void register() {
        if (!Boolean.parseBoolean(System.getProperty("greenloop.jmx", "true").trim())) {
            return;
        }
        JMX_THREAD.execute(() -> {
            try {
                ObjectName name = objectName(server.name());
                ManagementFactory.getPlatformMBeanServer().registerMBean(this, name);
                registeredAs = name;
            } catch (JMException | RuntimeException | LinkageError e) {
                HttpLog.log(System.Logger.Level.WARNING, "could not register the JMX bean of " + server + "; it serves without one", e);
            }
        });
    }

    void unregister() {
        JMX_THREAD.execute(() -> {
            if (registeredAs == null) {
                return;
            }
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredAs);
            } catch (JMException | RuntimeException e) {
                HttpLog.log(System.Logger.Level.WARNING, "could not unregister the JMX bean " + registeredAs, e);
            }
            registeredAs = null;
        });
    }

    @Override
    public long getConnectionsAccepted() {
        return server.stats().connectionsAccepted();
    }

    @Override
    public int getConnectionsOpen() {
        return server.stats().connectionsOpen();
    }

    @Override
    public long getRequests() {
        return server.stats().requests();
    }

    @Override
    public long getResponses4xx() {
        return server.stats().responses4xx();
    }

    @Override
    public long getResponses5xx() {
        return server.stats().responses5xx();
    }

    @Override
    public long getRejected() {
        return server.stats().rejected();
    }
}
