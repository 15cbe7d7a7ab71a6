package io.nvmesh.cli;

import io.nvmesh.cli.process.ServiceJars;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nvmesh reconciler --config FILE}: runs one reconciler instance in a child JVM until it stops. */
@Command(name = "reconciler",
        mixinStandardHelpOptions = true,
        description = "Run one reconciler instance (a child JVM of the service jar) until it stops or Ctrl-C. "
                + "Its exit code is this command's: 0 after a clean stop, 2 for a bad configuration, 1 when it "
                + "cannot start.",
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh reconciler --config /etc/nvmesh/r1.yaml", ""})
final class ReconcilerCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The instance configuration.")
    String config;

    @Override
    public Integer call() throws InterruptedException {
        return ServiceRun.inForeground(ServiceJars.RECONCILER_MAIN, List.of("--config", config));
    }
}
