package io.nvmesh.cli;

import io.nvmesh.cli.remote.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh status}: members, ownership balance, health, capacity and the last reconcile of each instance. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {"Summarise a running cluster on one screen: members, ownership balance, health, capacity and "
                + "each member's last reconcile pass.",
            "  members      alive or silent, start time, uptime, restarts;",
            "  balance      nodes (connected agents) and volumes owned per live member, with max/avg;",
            "  health       servers by kind and health, drives by health (the counters; the recorded inventory while "
                    + "they are empty), volumes by status (the recorded state);",
            "  capacity     free, allocated and redundant bytes, %% free (the replicated counters);",
            "  last pass    each live member's latest reconcile: outcome, how long ago, how long it took.",
            "The instance given answers for the cluster; every live member is asked for its own uptime and passes. A "
                    + "member that does not answer is listed as a problem."},
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh status", "  nvmesh status -o json | jq .balance", "",
            "Exit codes: 0 ok, 1 the instance given cannot be reached or refused the token, 2 usage error.%n"})
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (one screen), json or yaml; json and yaml carry formatVersion (default: table)")
    Output output;

    @Override
    public Integer call() {
        return server.run(spec.commandLine().getOut(), views -> views.status(output));
    }
}
