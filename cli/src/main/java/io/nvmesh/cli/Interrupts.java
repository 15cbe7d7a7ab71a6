package io.nvmesh.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) as a request to stop rather than a kill, for commands that run until told to stop: the command
 * finishes normally (its output flushed, exit 0). Closing restores the previous handler. Where the runtime does not
 * allow it, Ctrl-C keeps its usual meaning.
 */
final class Interrupts implements AutoCloseable {

    private final SignalHandler previous;

    private Interrupts(SignalHandler previous) {
        this.previous = previous;
    }

    static Interrupts onCtrlC(Runnable stop) {
        try {
            return new Interrupts(Signal.handle(new Signal("INT"), sig -> stop.run()));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return new Interrupts(null);
        }
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(new Signal("INT"), previous);
        }
    }
}
