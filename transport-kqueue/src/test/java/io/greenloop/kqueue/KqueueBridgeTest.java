package io.greenloop.kqueue;

import org.junit.jupiter.api.Test;

import java.lang.invoke.MethodHandles;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kqueue bridge on any OS (these run on Linux too, where kqueue's library cannot load): every package-private
 * member of Netty's that it names exists with the type it expects, in the Netty version the POM pins.
 */
class KqueueBridgeTest {

    @Test
    void everyNettyMemberTheBridgeCallsResolvesWithoutTheNativeLibrary() {
        // Initialising the bridge resolves each of its handles; a member renamed or retyped fails it with a LinkageError.
        assertDoesNotThrow(() -> MethodHandles.lookup().ensureInitialized(KqueueBridge.class));
    }

    @Test
    void theBridgeIsBuiltForTheNettyThePomPins() {
        assertEquals(System.getProperty("greenloop.netty.version"), KqueueBridge.BUILT_FOR_NETTY,
                "KqueueBridge.BUILT_FOR_NETTY must follow netty.version in the POM");
    }
}
