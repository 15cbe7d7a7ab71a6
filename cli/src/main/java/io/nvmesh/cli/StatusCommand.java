package io.nvmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh status}: members, volumes by status, and what the reconcilers did last. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = "Summarise a running cluster: live members, volumes by status, the desired commit last "
                + "reconciled and the answering instance's last reconcile pass.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        return server.run(spec.commandLine().getOut(), views -> views.status());
    }
}
