package io.nvmesh.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code nvmesh certs}, {@code state}, ...): run alone, it says so. */
abstract class CommandGroup implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw CommandException.usage("a subcommand is required; try '%s --help'", spec.qualifiedName());
    }
}
