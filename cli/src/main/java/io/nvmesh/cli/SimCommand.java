package io.nvmesh.cli;

import io.nvmesh.cli.process.ServiceJars;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code nvmesh sim ...}: runs a simulated fleet (the service's SimMain) in a child JVM until Ctrl-C. */
@Command(name = "sim",
        description = "Run a simulated fleet of node agents against running reconcilers, in a child JVM, until "
                + "Ctrl-C. Every argument goes to the simulator: --connect URL[,URL...] [--targets 48] [--drives 8] "
                + "[--clients 32] [--seed 1] [--inventory FILE] [--agent-tokens FILE | --agent-token T | env "
                + "NVMESH_AGENT_TOKEN] [--cacert FILE] [--agent-certs DIR | --cert FILE --key FILE] [--control "
                + "127.0.0.1:0] [--control-token T | env NVMESH_SIM_CONTROL_TOKEN; else a random one, printed as "
                + "control-token]. Each node presents its own agent token from the --agent-tokens file (lines "
                + "`node-id token`); one token for all nodes needs a credential with nodes: [\"*\"] (simulators "
                + "only; see docs/security.md). Over https, --cacert is the CA bundle the instances' certificates "
                + "chain to, and each node presents its own client certificate from --agent-certs (<node-id>.pem "
                + "and <node-id>-key.pem, as nvmesh certs issue --agent writes them); tokens are then optional.",
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh sim --connect http://127.0.0.1:7420 --inventory fleet.yaml --agent-tokens agent-tokens",
                "  NVMESH_AGENT_TOKEN=... nvmesh sim --connect http://127.0.0.1:7420 --targets 12 --drives 4",
                "  nvmesh sim --connect https://r1.example:7420 --targets 12 --cacert pki/ca.pem --agent-certs pki/agents",
                ""})
final class SimCommand implements Callable<Integer> {

    // Declared so that --help is this command's, not passed on to the simulator with everything else.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        return ServiceRun.inForeground(ServiceJars.SIM_MAIN, args);
    }
}
