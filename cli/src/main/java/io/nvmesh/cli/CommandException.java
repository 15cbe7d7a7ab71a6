package io.nvmesh.cli;

import java.util.Objects;

/**
 * The one exception family of the command line: a message for a person and the exit code it stands for. Commands
 * throw it; {@link Failures} prints {@code error: <message>} and exits with the code.
 */
class CommandException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    public CommandException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
    }

    /** The command line is wrong (exit 2). */
    public static CommandException usage(String format, Object... args) {
        return new CommandException(ExitCode.USAGE, String.format(format, args));
    }

    /** The user's input is wrong (exit 1). */
    public static CommandException problems(String format, Object... args) {
        return new CommandException(ExitCode.PROBLEMS, String.format(format, args));
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
