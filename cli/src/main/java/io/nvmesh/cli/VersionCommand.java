package io.nvmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh version}: what {@code nvmesh --version} prints, as a command too (as kubectl and helm have it). */
@Command(name = "version",
        mixinStandardHelpOptions = true,
        description = "Print the version of nvmesh and of the Java runtime it runs on (the same as nvmesh --version).")
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new Nvmesh.Version().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return ExitCode.OK.code();
    }
}
