package io.nvmesh.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh describe volume NAME}: one volume's status and where every segment is. */
@Command(name = "describe",
        mixinStandardHelpOptions = true,
        description = "Show one volume: status (and why), policy, size, owner, and every segment's drive and target.",
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh describe volume pg-orders-01", ""})
final class DescribeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Parameters(index = "0", paramLabel = "KIND", description = "volume")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME", description = "the volume's name")
    String name;

    @Override
    public Integer call() {
        if (!kind.equals("volume") && !kind.equals("volumes")) {
            throw CommandException.usage("describe knows one kind today: volume (got %s)", kind);
        }
        return server.run(spec.commandLine().getOut(), views -> views.describeVolume(name));
    }
}
