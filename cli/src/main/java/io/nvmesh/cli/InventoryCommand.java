package io.nvmesh.cli;

import static io.nvmesh.cli.Phrases.retries;
import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.core.reconcile.InventoryImport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh inventory}: the recorded inventory of targets, drives and clients. */
@Command(name = "inventory",
        mixinStandardHelpOptions = true,
        description = "Record the inventory (targets, drives, clients) on the state ref.",
        subcommands = InventoryCommand.Import.class,
        footerHeading = "%nExamples:%n",
        footer = {"  nvmesh inventory import samples/inventory/fleet.yaml", ""})
final class InventoryCommand extends CommandGroup {

    @ParentCommand
    Nvmesh nvmesh;

    @Command(name = "import",
            mixinStandardHelpOptions = true,
            description = {
                "Replace the recorded inventory with the one in FILE (YAML, see docs/gitops.md), published on "
                        + "refs/nvmesh/state by compare-and-swap. Nothing is recorded unless the whole file is valid; "
                        + "each problem is reported as file:line:column.",
                "Allocations are kept: a drive that is no longer listed leaves its segments degraded.",
                "Targets reported by a node agent (recorded managed) get their inventory from the agent: an import "
                        + "that would change or remove one is refused, one line per target, and nothing is "
                        + "recorded. Targets not reported by an agent are replaced as written."
            },
            footerHeading = "%nExamples:%n",
            footer = {
                "  nvmesh inventory import samples/inventory/fleet.yaml",
                "  agent-report --yaml | nvmesh inventory import -",
                "  nvmesh inventory import --force racks.yaml",
                "",
                "Exit codes: 0 recorded (or unchanged), 1 problems in FILE or refused (agent-managed targets), 2 usage "
                        + "error.%n"
            })
    static final class Import implements Callable<Integer> {

        @ParentCommand
        InventoryCommand parent;

        @Spec
        CommandSpec spec;

        @Mixin
        RepositoryOptions repository;

        @Parameters(paramLabel = "FILE", description = "The inventory file; - reads standard input.")
        String file;

        @Option(names = "--force",
                description = "Import over agent-managed targets too: a managed target in FILE takes FILE's labels "
                        + "and drives, but keeps the health its agent reported (the target's and every reported "
                        + "drive's) and stays managed; a managed target FILE does not list is kept as recorded, "
                        + "not removed.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            byte[] bytes;
            if ("-".equals(file)) {
                bytes = parent.nvmesh.stdin().readAllBytes();
            } else {
                Path p = Path.of(file);
                if (!Files.isRegularFile(p)) {
                    throw new NoSuchFileException(file);
                }
                bytes = Files.readAllBytes(p);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (RepositoryOptions.Opened repo = repository.open()) {
                String name = "-".equals(file) ? "<stdin>" : file;
                InventoryImport.Result r = InventoryImport.record(repo.store(), name, bytes,
                        repo.store().defaultAuthor(), force);
                out.printf("inventory: %d targets, %d drives, %d clients%n", r.targets(), r.drives(), r.clients());
                if (!r.keptManaged().isEmpty()) {
                    out.println("kept as their agents report them (not in " + name + "): "
                            + String.join(", ", r.keptManaged()));
                }
                if (!r.mergedManaged().isEmpty()) {
                    out.println("labels and drives from " + name + ", health kept from their agents: "
                            + String.join(", ", r.mergedManaged()));
                }
                out.println(r.changed() ? "recorded on refs/nvmesh/state at " + shortId(r.commit()) + " ("
                        + r.filesChanged() + " files changed" + retries(r.retries()) + ")"
                        : "unchanged: refs/nvmesh/state at " + shortId(r.commit()) + " already records it");
            }
            return ExitCode.OK.code();
        }
    }
}
