package io.nvmesh.cli;

import io.nvmesh.cli.process.ServiceJars;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nvmesh agent ...}: the node agent of a real Linux host (the service's HostMain), in a child JVM. */
@Command(name = "agent",
        description = {"Run the node agent of this Linux host: report its NVMe drives and their health, serve "
                + "segments through device-mapper and the kernel's NVMe-oF target (target role), connect and "
                + "assemble volumes with nvme-cli and mdadm (client role).",
            "",
            "Runs until stopped (SIGTERM); stopping it, or losing every reconciler, leaves what it serves and what it "
                + "attached exactly as it is: only an order from the node's owner changes the data path. Needs root "
                + "(or CAP_SYS_ADMIN) and the modules nvmet, nvmet-tcp, nvme-tcp, dm-mod, md-mod, raid0, raid1 "
                + "(see docs/agent.md). The configuration file names the node, its role (target, client or both), "
                + "the reconcilers and the node's own agent credential (tokenFile, or env NVMESH_AGENT_TOKEN)."},
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh agent --config /etc/nvmesh/agent.yaml",
                "  nvmesh agent --config /etc/nvmesh/agent.yaml --dry-run        plan the owner's current orders",
                "  nvmesh agent --config agent.yaml --dry-run --orders cmd.json  plan a command message offline",
                "",
                "Exit codes: 0 ok, 1 problems in the configuration or orders (file:line:column), 2 usage error, "
                        + "3 internal error.%n"})
final class AgentCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The agent's configuration (format: docs/agent.md).")
    Path config;

    @Option(names = "--dry-run", description = "Print the operations (configfs writes, dmsetup tables, nvme and mdadm "
            + "command lines) the current orders need, perform none, and exit. Without --orders the agent dials the "
            + "reconcilers as this node and refuses the command it gets (`dry run: nothing applied`): do not run it "
            + "beside the live agent of the same node, which it would replace.")
    boolean dryRun;

    @Option(names = "--orders", paramLabel = "FILE", description = "With --dry-run: plan this command message (JSON as "
            + "on the wire, docs/agent-protocol.md) instead of asking the reconcilers.")
    Path orders;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "With --dry-run: how long to wait for orders, "
            + "such as 30s (the default).")
    String wait;

    @Option(names = "--emulate-configfs", description = "Treat the configured nvmet path as a plain folder playing "
            + "configfs (a trial on a machine without nvmet).")
    boolean emulate;

    @picocli.CommandLine.ParentCommand
    Nvmesh parent;

    @Override
    public Integer call() throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        if (dryRun) {
            args.add("--dry-run");
        }
        if (orders != null) {
            args.addAll(List.of("--orders", orders.toString()));
        }
        if (wait != null) {
            args.addAll(List.of("--wait", wait));
        }
        if (emulate) {
            args.add("--emulate-configfs");
        }
        if (parent != null && parent.global != null && parent.global.stacktrace) {
            args.add("--stacktrace");
        }
        return ServiceRun.inForeground(ServiceJars.HOST_MAIN, args);
    }
}
