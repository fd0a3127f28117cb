package io.greenloop;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the beans the way jconsole does: through the platform MBean server, by name. */
class LoopMXBeanTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @RegisterExtension
    final LoopExtension extension = new LoopExtension();

    @Test
    void anOpenLoopHasABeanWithItsStatisticsAndRunInfo() throws Exception {
        Loop loop = extension.loop();
        Green.spawn(() -> Green.sleep()).join();
        ObjectName name = new ObjectName("io.greenloop:type=Loop,name=" + loop.stats.name());
        assertTrue(registered(name, true), name + " among " + SERVER.queryNames(new ObjectName("io.greenloop:*"), null));

        Set<String> attributes = Arrays.stream(SERVER.getMBeanInfo(name).getAttributes())
                .map(attribute -> attribute.getName()).collect(Collectors.toSet());
        assertEquals(Set.of("Iterations", "Polls", "TasksRun", "LiveGreenlets", "PendingTimers", "IoWaiters", "BlockedReports",
                "PendingCallbacks", "Cpu", "IdleStrategy"), attributes);
        assertEquals(-1, (Integer) SERVER.getAttribute(name, "Cpu"), "not pinned");
        assertEquals("block", SERVER.getAttribute(name, "IdleStrategy"));
        assertTrue((Long) SERVER.getAttribute(name, "TasksRun") >= 2, "the greenlet started and resumed after its sleep");
        assertTrue((Long) SERVER.getAttribute(name, "Iterations") > 0);
        assertEquals(0, (Integer) SERVER.getAttribute(name, "LiveGreenlets"));
        assertTrue(SERVER.getAttribute(name, "BlockedReports") instanceof Long);

        Greenlet<?> parked = Green.spawn(() -> Green.sleep(java.time.Duration.ofMinutes(1)));
        Green.sleep();
        String runInfo = (String) SERVER.invoke(name, "formatRunInfo", new Object[0], new String[0]);
        assertTrue(runInfo.contains(parked.name()), "Green.formatRunInfo(), with the live greenlet: " + runInfo);
        parked.kill();

        LoopMXBean proxy = JMX.newMXBeanProxy(SERVER, name, LoopMXBean.class);
        assertTrue(proxy.getPolls() > 0, "a typed proxy reads the same bean");

        Thread.ofPlatform().start(() -> {
            loop.execute(() -> { });
            loop.execute(() -> { });
        }).join();
        assertEquals(2L, SERVER.getAttribute(name, "PendingCallbacks"), "the inbox's depth, before the loop takes them");
        loop.runOnce(false);
        assertEquals(0L, proxy.getPendingCallbacks());
    }

    /** Loop names are unique in the JVM, also for owners with the same name and with characters JMX reserves. */
    @Test
    void eachLoopHasABeanOfItsOwnUntilItCloses() throws Exception {
        String owner = "worker, a=b:c";
        ObjectName first = openAndCloseOn(owner);
        ObjectName second = openAndCloseOn(owner);
        assertNotEquals(first, second);
        ObjectName mine = new ObjectName("io.greenloop:type=Loop,name=" + extension.loop().stats.name());
        assertNotEquals(first, mine);
        assertTrue(registered(mine, true), "the test's own loop is still open");
    }

    /** Opens a loop on a thread called {@code owner}, checks its bean is there while open, and gone after close. */
    private static ObjectName openAndCloseOn(String owner) throws Exception {
        CompletableFuture<ObjectName> registered = new CompletableFuture<>();
        CountDownLatch checked = new CountDownLatch(1);
        Thread thread = Thread.ofPlatform().name(owner).start(() -> {
            try (Loop loop = Loop.open()) {
                registered.complete(LoopStats.objectName(loop.stats.name()));
                checked.await();
            } catch (Exception e) {
                registered.completeExceptionally(e);
            }
        });
        ObjectName name = registered.get();
        assertTrue(name.getKeyProperty("name").contains("worker"), name.toString());
        assertTrue(registered(name, true), name + " while its loop is open");
        assertEquals(0, (Integer) SERVER.getAttribute(name, "LiveGreenlets"));
        checked.countDown();
        thread.join();
        assertTrue(registered(name, false), name + " is gone after its loop closed");
        return name;
    }

    /**
     * Whether {@code name}'s registration reaches {@code wanted} within a generous bound: beans are registered
     * and unregistered on a thread of their own, so that opening a loop never waits for the MBean server.
     */
    private static boolean registered(ObjectName name, boolean wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SERVER.isRegistered(name) != wanted) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
