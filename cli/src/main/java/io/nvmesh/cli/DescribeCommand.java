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

/** {@code nvmesh describe volume NAME}: one volume's status and where every segment is. */
@Command(name = "describe",
        mixinStandardHelpOptions = true,
        description = {"Show one volume: status (and why), policy, size, owner, and every segment's drive and target.",
            "A volume not placed yet (pending) shows the policy and layout it asks for, the capacity asked and why it "
                    + "waits. json and yaml print the server's object (docs/cli.md)."},
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh describe volume pg-orders-01", "  nvmesh describe vol pg-orders-01 -o json | jq .segments",
            "", "Exit codes: 0 ok, 1 no such volume, server unreachable or token refused, 2 usage error.%n"})
final class DescribeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "KIND", description = "volume (or volumes, vol)")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME", description = "the volume's name")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (the text for people), json or yaml (default: table)")
    Output output;

    @Override
    public Integer call() {
        if (ClusterViews.Kind.parse(kind).filter(k -> k == ClusterViews.Kind.VOLUMES).isEmpty()) {
            throw CommandException.usage("describe knows one kind today: volume (got %s)", kind);
        }
        return server.run(spec.commandLine().getOut(), views -> views.describeVolume(name, output));
    }
}
