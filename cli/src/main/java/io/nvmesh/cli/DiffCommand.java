package io.nvmesh.cli;

import io.nvmesh.core.reconcile.DesiredDiff;
import io.nvmesh.core.reconcile.DiffReport;
import io.nvmesh.core.reconcile.GitOpsRefusal;
import io.nvmesh.core.reconcile.LocalManifests;
import io.nvmesh.core.reconcile.SavedPlan;
import io.nvmesh.core.state.StateStoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nvmesh diff}: desired against recorded, as a reconciler would see it. */
@Command(name = "diff",
        mixinStandardHelpOptions = true,
        description = {
            "Compare desired manifests with the recorded state: which objects changed since the desired commit the "
                    + "state was reconciled from (field by field), where each new segment would be placed, "
                    + "capacity before → after, and the plan's counts.",
            "PATHs (default: .) are laid over the desired branch, as nvmesh apply would commit them; --ref compares "
                    + "a ref or commit of the desired repository instead."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh diff samples",
            "  nvmesh diff --ref main                 what a reconciler would do now",
            "  nvmesh diff -o json samples > diff.json",
            "  nvmesh diff -o markdown . > plan.md     # a pull request's plan, for a comment",
            "  nvmesh diff --out plan.json samples && nvmesh apply plan.json",
            "",
            "Exit codes: 0 no changes, 1 changes, 2 or more an error (invalid manifests, unreadable repository).%n"
        })
final class DiffCommand implements Callable<Integer> {

    enum Format { text, json, markdown }

    @Spec
    CommandSpec spec;

    @Mixin
    RepositoryOptions repository;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Manifest files or directories (default: .).")
    List<String> paths = List.of(".");

    @Option(names = "--ref", paramLabel = "REF", description = "Compare this ref or commit of the desired repository "
            + "instead of local files.")
    String ref;

    @Option(names = "--prune", description = "Preview removing the branch's manifests under the PATH folders that no "
            + "longer exist locally (as apply --prune would).")
    boolean prune;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "Also save the plan, pinned to the desired and state "
            + "commits, for 'nvmesh apply FILE'.")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        try (RepositoryOptions.Opened repo = repository.open()) {
            DiffReport d;
            try {
                d = ref != null ? DesiredDiff.ofRef(repo.store(), repository.branch, ref)
                        : DesiredDiff.ofLocal(repo.store(), repository.branch,
                                () -> LocalManifests.read(paths, Path.of("")), prune);
            } catch (GitOpsRefusal | StateStoreException e) {
                // diff says "changes" with 1, so an error must be 2 or more (as kubectl diff does).
                throw new CommandException(ExitCode.USAGE, e.getMessage());
            }
            String where = repo.choice().describe() + ", branch " + repository.branch;
            if (format == Format.json) {
                DiffRenderer.json(d, where, w);
            } else if (format == Format.markdown) {
                DiffRenderer.markdown(d, where, w);
            } else {
                new DiffRenderer(Terminal.colour()).text(d, where, w);
            }
            if (out != null) {
                Files.write(out, SavedPlan.of(d).toJson(d.actions()));
                spec.commandLine().getErr().println("plan saved to " + out + "; apply it with: nvmesh apply " + out);
            }
            return d.hasChanges() ? ExitCode.PROBLEMS.code() : ExitCode.OK.code();
        }
    }
}
