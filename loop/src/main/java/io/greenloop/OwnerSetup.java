package io.greenloop;

import io.greenloop.internal.ClassPreloader;
import io.greenloop.internal.GreenletThreads;
import io.greenloop.spi.Transport;
import io.greenloop.spi.TransportProvider;

/**
 * What opening a loop does on the thread that will own it, before the loop exists: chooses the transport, checks the
 * JVM flag greenloop needs, loads greenloop's classes while descriptors are at hand, refuses a thread that has a loop
 * already, pins the thread to its CPU, and creates the transport (undoing the pinning if that fails). The owner
 * thread only.
 *
 * @param transport the loop's transport, created and open
 * @param pin       the owner thread's CPU pinning, for the loop to undo when it closes
 */
record OwnerSetup(Transport transport, CpuPinning.Pin pin) {

    /** Sets up the calling thread to own a loop opened with {@code options}; throws as {@link Loop#open(Loop.Options)} says. */
    static OwnerSetup forCurrentThread(Loop.Options options) {
        TransportProvider provider = TransportSelection.chosen(options.transport());
        GreenletThreads.ensureAvailable();
        // Before anything can fail for want of descriptors: out of them, no class file could be opened.
        ClassPreloader.loadDirectoriesOf(Loop.class, provider.getClass());
        Strand.refuseSecondLoop();
        CpuPinning.Pin pin = CpuPinning.pinCurrentThread(options.cpu());
        try {
            return new OwnerSetup(TransportSelection.create(provider), pin);
        } catch (RuntimeException e) {
            pin.release();
            throw e;
        }
    }
}
