package io.greenloop;

import io.greenloop.internal.LoopAccess;
import io.greenloop.spi.Transport;

/** The loop's side of {@link LoopAccess}: what {@code io.greenloop.lowlevel} reaches without it being public on {@link Loop}. */
final class LoopLowLevelAccess implements LoopAccess {

    @Override
    public Transport transport(Loop loop) {
        return loop.io();
    }

    @Override
    public void requireLoopThread(Loop loop, String operation) {
        loop.requireLoopThread(operation);
    }

    @Override
    public void spendSocketBudget(Loop loop, String operation) {
        loop.spendSocketBudget(operation);
    }

    @Override
    public void handOff(Loop loop, Runnable callback) {
        loop.handOff(callback);
    }
}
