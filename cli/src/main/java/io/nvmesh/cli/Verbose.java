package io.nvmesh.cli;

import picocli.CommandLine.Model.CommandSpec;

/** The {@code --verbose} header: which repository a command chose, on standard error. */
final class Verbose {

    private Verbose() {
    }

    static void say(RepositoryOptions options, RepositoryOptions.Opened repo, CommandSpec spec) {
        if (options.verbose) {
            spec.commandLine().getErr().println("repository " + repo.choice().explain() + ", branch "
                    + options.branch);
            spec.commandLine().getErr().flush();
        }
    }
}
