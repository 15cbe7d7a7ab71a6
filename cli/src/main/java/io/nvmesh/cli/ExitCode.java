package io.nvmesh.cli;

/**
 * The exit codes of every {@code nvmesh} command. {@code PROBLEMS} also means "changes" for {@code diff}
 * (kubectl, Argo CD and Flux use the same convention).
 */
enum ExitCode {
    /** Done, nothing wrong. */
    OK(0),
    /** The user's input is wrong (invalid manifests, unreadable files) or, for diff, there are changes. */
    PROBLEMS(1),
    /** The command line is wrong: unknown option, missing path, bad value. */
    USAGE(2),
    /** A bug or an unexpected failure in nvmesh itself. */
    INTERNAL(3);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
