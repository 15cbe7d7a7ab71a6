package io.nvmesh.cli;

import io.nvmesh.core.reconcile.SavedPlan;
import java.io.IOException;
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
                    + "or the recorded state moved since. Removing a volume with deletionProtection: true is refused, "
                    + "unless it was never placed (pending, no space ever given). Without --prune, manifests deleted "
                    + "locally stay on the branch, and apply names what it kept.",
            "--wait then asks the reconcilers for a pass at once (the Git hook of every live instance; that needs an "
                    + "admin token, otherwise they start at their next poll) and follows the volumes the commit "
                    + "added, changed or removed, through one reconciler (--server, NVMESH_SERVER or the running "
                    + "demo's): it reads each volume every 2 s, sooner when an event says it changed, and believes "
                    + "its status once its owner has reconciled the commit. Online (or deleted, for a removed "
                    + "volume) is success; pending with a reason (e.g. no room), blocked (a protected volume "
                    + "removed) and failed (its data is lost: a group with no surviving copy) are failures; "
                    + "initializing and rebuilding (targets not serving every segment yet), degraded (the "
                    + "reconcilers rebuild it) and deleting (targets still releasing it) keep waiting. "
                    + "When nothing "
                    + "changed, every desired volume is followed."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  nvmesh apply samples -m 'Add the sample volumes'",
            "  nvmesh apply --prune volumes/            also remove manifests deleted locally",
            "  nvmesh apply --expect 1a2b3c4 samples    refuse if main moved since diff showed 1a2b3c4",
            "  nvmesh apply plan.json",
            "  nvmesh apply samples --wait              commit, then follow its volumes until online",
            "  nvmesh apply --sign --sign-key ~/.ssh/id_ed25519 samples   an SSH-signed commit",
            "",
            "Exit codes: 0 committed (or nothing to commit; with --wait: and every volume online or deleted), "
                    + "1 refused (invalid, stale, moved, protected), or with --wait: a volume failed, the timeout "
                    + "passed, or the server could not be asked, 2 usage error.%n"
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

    @Mixin
    SigningOptions signing;

    @Option(names = "--wait", description = "After committing, follow the volumes it added, changed or removed "
            + "until each is online (or deleted), or failed; see above.")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "With --wait: give up after this long (default: 5m; e.g. 90s, 10m).")
    String timeout;

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Optional<ApplyWorkflow.Wait> waiting = waiting();
        ApplyWorkflow.Change change = new ApplyWorkflow.Change(savedPlan(), paths, prune, Optional.ofNullable(expect),
                message, signing.signer());
        try (RepositoryOptions.Opened repo = repository.open()) {
            return new ApplyWorkflow(spec.commandLine().getOut()).run(repo.store(), repository.branch, change, waiting);
        }
    }

    /** Read before committing: a wait that cannot start should not leave a half-done apply behind. */
    private Optional<ApplyWorkflow.Wait> waiting() {
        if (!wait) {
            if (timeout != null) {
                throw CommandException.usage("--timeout applies only with --wait");
            }
            return Optional.empty();
        }
        String limit = timeout == null ? "5m" : timeout;
        return Optional.of(new ApplyWorkflow.Wait(server.address(), DurationOption.parse("--timeout", limit), limit));
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
