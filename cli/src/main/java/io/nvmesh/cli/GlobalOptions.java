package io.nvmesh.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command accepts, before or after the subcommand name. */
final class GlobalOptions {

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT,
            description = "On an error, print the Java stack trace too (for bug reports).")
    boolean stacktrace;
}
