package io.nvmesh.cli.process;

import java.util.Map;

/**
 * How a child process ended, said as a shell says it. Java reports a child killed by signal n as exit value 128 + n
 * (what shells do too), so {@code kill -9} reads as {@code signal 9 (KILL)} rather than as code 137.
 */
public record ExitStatus(int value) {

    private static final Map<Integer, String> SIGNALS = Map.of(1, "HUP", 2, "INT", 3, "QUIT", 6, "ABRT", 9, "KILL",
            11, "SEGV", 13, "PIPE", 15, "TERM");

    /** The status of a child that has exited. */
    public static ExitStatus of(Process exited) {
        return new ExitStatus(exited.exitValue());
    }

    public boolean bySignal() {
        return value > 128 && value < 128 + 65;
    }

    /** {@code code 1}, or {@code signal 9 (KILL)}. */
    @Override
    public String toString() {
        if (!bySignal()) {
            return "code " + value;
        }
        int signal = value - 128;
        String name = SIGNALS.get(signal);
        return "signal " + signal + (name == null ? "" : " (" + name + ")");
    }
}
