package io.nvmesh.cli;

/** Whether to colour output: only on a terminal, and never when {@code NO_COLOR} is set (no-color.org). */
final class Terminal {

    private Terminal() {
    }

    static boolean colour() {
        String noColor = System.getenv("NO_COLOR");
        return System.console() != null && (noColor == null || noColor.isEmpty());
    }
}
