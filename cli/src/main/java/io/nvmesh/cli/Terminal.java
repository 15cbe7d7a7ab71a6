package io.nvmesh.cli;

/** Whether to colour output: only on a terminal, and never when {@code NO_COLOR} is set (no-color.org). */
final class Terminal {

    private Terminal() {
    }

    /** Whether output goes to a person at a terminal (progress may update a line in place). */
    static boolean interactive() {
        return System.console() != null;
    }

    static boolean colour() {
        String noColor = System.getenv("NO_COLOR");
        return System.console() != null && (noColor == null || noColor.isEmpty());
    }
}
