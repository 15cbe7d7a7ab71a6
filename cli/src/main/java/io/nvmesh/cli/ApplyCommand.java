package io.nvmesh.cli;

import io.nvmesh.core.reconcile.ApplyResult;
import io.nvmesh.core.reconcile.DesiredApply;
import io.nvmesh.core.reconcile.LocalManifests;
import io.nvmesh.core.reconcile.SavedPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh apply}: commits desired manifests (or a saved plan) to the desired branch. */
@Command(name = "apply",
        mixinStandardHelpOptions = true,
        description = {
            "Validate the desired tree that would result, then commit the manifests under PATH (default: .) to the "
                    + "desired branch, published by compare-and-swap on the tip read (or --expect). Repository paths "
                    + "are relative to the Git checkout's root, or to the current directory outside a checkout.",
            "A single FILE written by 'nvmesh diff --out' applies that saved plan, refused if the desired branch "
                    + "or the recorded state moved since. Removing a volume with deletionProtection: true is refused."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh apply samples -m 'Add the sample volumes'",
            "  nvmesh apply --prune volumes/            also remove manifests deleted locally",
            "  nvmesh apply --expect 1a2b3c4 samples    refuse if main moved since diff showed 1a2b3c4",
            "  nvmesh apply plan.json",
            "",
            "Exit codes: 0 committed (or nothing to commit), 1 refused (invalid, stale, moved, protected), "
                    + "2 usage error.%n"
        })
final class ApplyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RepositoryOptions repository;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Manifest files or directories (default: .), or one saved plan file.")
    List<String> paths = List.of(".");

    @Option(names = {"-m", "--message"}, paramLabel = "TEXT", defaultValue = "",
            description = "Commit message (default: names the files written).")
    String message;

    @Option(names = "--expect", paramLabel = "COMMIT",
            description = "Refuse unless the branch is still at COMMIT (what nvmesh diff showed).")
    String expect;

    @Option(names = "--prune", description = "Also remove the branch's manifests under the PATH folders that no "
            + "longer exist locally.")
    boolean prune;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Optional<SavedPlan> plan = savedPlan();
        try (RepositoryOptions.Opened repo = repository.open()) {
            Verbose.say(repository, repo, spec);
            ApplyResult r = plan.isPresent()
                    ? DesiredApply.applyPlan(repo.store(), repository.branch, plan.get(), message,
                            repo.store().defaultAuthor())
                    : DesiredApply.apply(repo.store(), repository.branch, LocalManifests.read(paths, Path.of("")),
                            prune, Optional.ofNullable(expect), message, repo.store().defaultAuthor());
            if (!r.changed()) {
                out.println("no changes: " + r.branch() + " at " + InventoryCommand.shortId(r.commit())
                        + " already has these manifests");
            } else {
                r.written().forEach(p -> out.println("  write  " + p));
                r.removed().forEach(p -> out.println("  remove " + p));
                out.println(r.branch() + ": " + InventoryCommand.shortId(r.previousCommit()) + " → "
                        + InventoryCommand.shortId(r.commit()) + " (" + r.written().size() + " written, "
                        + r.removed().size() + " removed)");
            }
            return ExitCode.OK.code();
        }
    }

    private Optional<SavedPlan> savedPlan() throws IOException {
        if (paths.size() != 1 || !paths.get(0).endsWith(".json")) {
            return Optional.empty();
        }
        Path p = Path.of(paths.get(0));
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(p);
        if (!SavedPlan.looksLikePlan(bytes)) {
            throw CommandException.usage("%s is not a saved plan (nvmesh diff --out writes one)", p);
        }
        if (prune || expect != null) {
            throw CommandException.usage("--prune and --expect do not apply to a saved plan: it pins its commits");
        }
        return Optional.of(SavedPlan.parse(p.toString(), bytes));
    }
}
