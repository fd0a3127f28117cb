package io.greenloop.internal;

/**
 * The body of a greenlet a greenloop component runs for an application (a server's connection handler), which
 * says whose it is and what it serves: when it fails, the loop's default error handler reports it on that
 * component's log and names what it served ("Greenlet-7, the handler of StreamServer[...] for /10.0.0.5:41234,
 * failed"), instead of only the greenlet's name on the loop's. Not for applications. Any thread.
 */
public interface ComponentTask {

    /**
     * The log of the component that runs it.
     *
     * @return the component's log, where its failure is reported
     */
    SafeLog log();

    /**
     * What it serves, in a few words, for the error report.
     *
     * @return what it serves ("the handler of StreamServer[...] for /10.0.0.5:41234")
     */
    String describe();
}
