package io.nvmesh.cli;

import io.nvmesh.cli.remote.ClusterViews;
import io.nvmesh.cli.remote.Output;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh get KIND}: lists recorded volumes, targets, drives, clients, or the cluster's members. */
@Command(name = "get",
        mixinStandardHelpOptions = true,
        description = {"List what a running reconciler knows: volumes, targets, drives, clients, the cluster's "
                + "members or capacity.",
            "volumes are the recorded allocations and status; targets, drives and clients the recorded inventory "
                    + "(the whole fleet); cluster the members and their load; capacity the free, allocated and "
                    + "redundant bytes per cluster, failure domain and drive class, servers by health and volumes by "
                    + "status (from the counters, instantly, on any instance).",
            "KIND is a plural, a singular or a short name, as in kubectl: volumes (volume, vol), targets (target, "
                    + "tgt), drives (drive, drv), clients (client, cli), cluster (cl), capacity (cap).",
            "Tables show binary units (GiB, TiB). json and yaml show the server's raw bytes; a list is always "
                    + "{apiVersion: nvmesh.io/v1, kind: List, metadata, items} (docs/cli.md)."},
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh get volumes", "  nvmesh get vol db-01 -o json        one volume: the object itself",
            "  nvmesh get drives -o json | jq '.items[].serial'", "  nvmesh get capacity",
            "  nvmesh get capacity --policy mirrored-fast   the largest volume it can place now",
            "  nvmesh get cluster --server http://127.0.0.1:7420 --token $NVMESH_TOKEN", "",
            "Exit codes: 0 ok, 1 server unreachable or token refused, 2 usage error.%n"})
final class GetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "KIND", converter = KindConverter.class,
            description = "volumes, targets, drives, clients, cluster or capacity (or a singular or short name)")
    ClusterViews.Kind kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME",
            description = "Only this volume, target, drive (serial) or client; json and yaml then print the object "
                    + "itself, not a list.")
    String name;

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
        if (name != null && (kind == ClusterViews.Kind.CLUSTER || kind == ClusterViews.Kind.CAPACITY)) {
            throw CommandException.usage("get %s takes no NAME", kind.name().toLowerCase(Locale.ROOT));
        }
        return server.run(spec.commandLine().getOut(), views -> views.get(kind, name, output));
    }

    static final class KindConverter implements ITypeConverter<ClusterViews.Kind> {
        @Override
        public ClusterViews.Kind convert(String value) {
            return ClusterViews.Kind.parse(value).orElseThrow(() -> new TypeConversionException("unknown kind '"
                    + value + "'; one of " + Arrays.stream(ClusterViews.Kind.values()).map(ClusterViews.Kind::names)
                    .collect(Collectors.joining(", "))));
        }
    }
}
