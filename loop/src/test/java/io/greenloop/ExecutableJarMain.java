package io.greenloop;

/**
 * The main class of the executable jar that {@link ExecutableJarTest} builds: opens a loop and runs a greenlet,
 * with whatever flags the jar's manifest gave the JVM and nothing else.
 */
public final class ExecutableJarMain {

    private ExecutableJarMain() {
    }

    /** Prints what a greenlet returned and the loop's statistics; a missing flag ends it with an exception. */
    public static void main(String[] args) throws Exception {
        try (Loop loop = Loop.open()) {
            Greenlet<String> greenlet = loop.spawn(() -> {
                Green.sleep();
                return "hello from " + Green.current().name();
            });
            System.out.println(greenlet.get());
            System.out.println(loop.stats());
        }
    }
}
