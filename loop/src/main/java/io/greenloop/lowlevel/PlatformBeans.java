package io.greenloop.lowlevel;

import io.greenloop.internal.SafeLog;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Registers greenloop's MXBeans ({@code io.greenloop:type=<type>,name=<name>}: loops, servers, the HTTP module's
 * servers) in the platform MBean server, off the caller's thread. The first registration in a JVM creates the
 * platform MBean server, which takes hundreds of milliseconds on a busy machine, and neither opening a loop nor
 * starting a server may wait for that: one daemon thread, "greenloop-jmx", does every registration and
 * unregistration in the order they were asked (an unregistration always after its registration), and exits when
 * idle. A failure (a JVM without {@code java.management}, a name taken) is logged to {@code System.Logger}
 * "io.greenloop.Jmx" and never thrown: what the bean shows works without it. {@code -Dgreenloop.jmx=false}
 * registers none.
 *
 * <p>Thread rule: every method on any thread; none waits for the MBean server.
 */
public final class PlatformBeans {

    /** The system property that turns registration off ({@code false}); read at each registration. */
    public static final String ENABLED_PROPERTY = "greenloop.jmx";
    private static final SafeLog LOG = SafeLog.of("Jmx");
    private static final ThreadPoolExecutor JMX_THREAD = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), Thread.ofPlatform().name("greenloop-jmx").daemon(true).factory());

    static {
        JMX_THREAD.allowCoreThreadTimeOut(true);
    }

    private PlatformBeans() {
    }

    /**
     * A bean's registration, from {@link #register} until {@link #unregister()}.
     */
    public static final class Registration {

        private final ObjectName name;
        private final String of;
        /** Written and read on the JMX thread only: whether the MBean server took the bean. */
        private boolean registered;

        private Registration(ObjectName name, String of) {
            this.name = name;
            this.of = of;
        }

        /** Removes the bean, after its registration if that is still to come; idempotent, returns at once. */
        public void unregister() {
            if (name == null) {
                return;
            }
            JMX_THREAD.execute(() -> {
                if (!registered) {
                    return;
                }
                registered = false;
                try {
                    ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
                } catch (JMException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not unregister the JMX bean " + name + " of " + of, e);
                }
            });
        }

        /**
         * The bean's name, or {@code null} when registration is turned off.
         *
         * @return the bean's JMX name
         */
        public ObjectName name() {
            return name;
        }
    }

    /**
     * Registers {@code bean} as {@code io.greenloop:type=<type>,name=<name>} soon, on the JMX thread; returns at
     * once. With {@code -Dgreenloop.jmx=false} it registers nothing and the registration it returns does nothing.
     *
     * @param type the bean's type key ("Loop", "Server", "HttpServer")
     * @param name its name key, unique among the beans of its type; quoted when it has characters JMX reserves
     * @param bean the MXBean (or standard MBean) to register
     * @param of   what the bean shows, for a failure's log line ({@code toString()} of a loop or server)
     * @return the registration, to {@link Registration#unregister()} when what it shows ends
     */
    public static Registration register(String type, String name, Object bean, Object of) {
        Objects.requireNonNull(bean, "bean");
        if (!Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true").trim())) {
            return new Registration(null, String.valueOf(of));
        }
        ObjectName objectName;
        try {
            objectName = objectName(type, name);
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "no JMX bean for " + of + ": " + e.getMessage(), e);
            return new Registration(null, String.valueOf(of));
        }
        Registration registration = new Registration(objectName, String.valueOf(of));
        JMX_THREAD.execute(() -> {
            try {
                ManagementFactory.getPlatformMBeanServer().registerMBean(bean, objectName);
                registration.registered = true;
            } catch (JMException | RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "could not register the JMX bean " + objectName + " of " + of
                        + "; it runs without one", e);
            }
        });
        return registration;
    }

    /**
     * The name {@code io.greenloop:type=<type>,name=<name>}, the name quoted when it has characters JMX reserves.
     *
     * @param type the type key
     * @param name the name key
     * @return the object name
     * @throws JMException when the type itself is not a valid key value
     */
    public static ObjectName objectName(String type, String name) throws JMException {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        String value = name.matches("[^,=:\"*?\\\\\n]*") ? name : ObjectName.quote(name);
        return new ObjectName("io.greenloop:type=" + type + ",name=" + value);
    }
}
