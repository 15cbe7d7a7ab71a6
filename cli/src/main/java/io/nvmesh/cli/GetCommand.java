package io.nvmesh.cli;

import io.nvmesh.cli.remote.ClusterViews;
import io.nvmesh.cli.remote.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh get KIND}: lists recorded volumes, targets, drives, clients, or the cluster's members. */
@Command(name = "get",
        mixinStandardHelpOptions = true,
        description = "List what a running reconciler knows: volumes (recorded allocations and status), targets, "
                + "drives, clients (the recorded inventory, the whole fleet), cluster (members and their load) or "
                + "capacity (free, allocated and redundant bytes per cluster, failure domain and drive class; servers "
                + "by health; volumes by status: from the counters, instantly, on any instance). Tables show binary "
                + "units (GiB, TiB); json and yaml show the server's raw bytes.",
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh get volumes", "  nvmesh get drives -o json", "  nvmesh get capacity",
            "  nvmesh get capacity --policy mirrored-fast   the largest volume it can place now",
            "  nvmesh get cluster --server http://127.0.0.1:7420 --token $NVMESH_TOKEN", "",
            "Exit codes: 0 ok, 1 server unreachable or token refused, 2 usage error.%n"})
final class GetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(paramLabel = "KIND", description = "volumes, targets, drives, clients, cluster or capacity")
    ClusterViews.Kind kind;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json or yaml (default: table)")
    Output output;

    @Option(names = "--policy", paramLabel = "NAME", description = "With capacity: the largest volume policy NAME "
            + "can place now, on the recorded state (the planner's own search, on any instance).")
    String policy;

    @Override
    public Integer call() {
        if (policy != null) {
            if (kind != ClusterViews.Kind.CAPACITY) {
                throw CommandException.usage("--policy applies only to get capacity");
            }
            return server.run(spec.commandLine().getOut(), views -> views.largest(policy, output));
        }
        return server.run(spec.commandLine().getOut(), views -> views.get(kind, output));
    }
}
