package io.nvmesh.cli;

import io.nvmesh.cli.process.ServiceJars;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nvmesh reconciler --config FILE}: runs one reconciler instance in a child JVM until it stops. */
@Command(name = "reconciler",
        mixinStandardHelpOptions = true,
        description = {
            "Run one reconciler instance (a child JVM of the service jar) until it stops or Ctrl-C. Its exit code "
                    + "is this command's: 0 after a clean stop, 2 for a bad configuration, 1 when it cannot start.",
            "With --check, start nothing: check the configuration and every file and repository it names (tokens, "
                    + "credentials file, TLS certificate, key and CAs and whether they match and are valid now, "
                    + "trusted keys, data and audit folders writable, the repository opens or answers), list every "
                    + "problem, each at its place in the file, and exit 0 (fine) or 1. Nothing is created, no port is bound: "
                    + "for a systemd unit's ExecStartPre= and for CI."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh reconciler --config /etc/nvmesh/r1.yaml",
            "  nvmesh reconciler --config /etc/nvmesh/r1.yaml --check",
            "",
            "Exit codes: 0 stopped cleanly (--check: the configuration is fine), 1 cannot start (--check: problems "
                    + "listed), 2 bad command line or configuration.%n"
        })
final class ReconcilerCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The instance configuration.")
    String config;

    @Option(names = "--check", description = "Check the configuration and what it names, start nothing; exit 0 or 1.")
    boolean check;

    @Override
    public Integer call() throws InterruptedException {
        return ServiceRun.inForeground(ServiceJars.RECONCILER_MAIN, childArgs());
    }

    /** The arguments of the child JVM's {@code ReconcilerMain}. */
    List<String> childArgs() {
        return check ? List.of("--config", config, "--check") : List.of("--config", config);
    }
}
