package io.nvmesh.cli;

import static io.nvmesh.core.state.CommitIds.shortId;

import io.nvmesh.cli.remote.PolicyRoom;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import io.nvmesh.cli.remote.VolumeWait;
import io.nvmesh.core.reconcile.AppliedVolumes;
import io.nvmesh.core.reconcile.ApplyResult;
import io.nvmesh.core.reconcile.DesiredApply;
import io.nvmesh.core.signature.OpenPgpSigner;
import io.nvmesh.core.signature.SshSigner;
import io.nvmesh.core.state.CommitSigner;
import io.nvmesh.core.reconcile.LocalManifests;
import io.nvmesh.core.reconcile.SavedPlan;
import io.nvmesh.core.reconcile.Unpruned;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @Option(names = "--sign", description = "Sign the commit with the key in --sign-key (OpenPGP or SSH), as git "
            + "commit -S does; reconcilers that require signed commits accept only such commits (docs/security.md).")
    boolean sign;

    @Option(names = "--sign-key", paramLabel = "FILE", description = "The key to sign with (default: "
            + "NVMESH_SIGN_KEY): an OpenSSH private key (ssh-keygen -t ed25519; signed as git does with "
            + "gpg.format=ssh), or an OpenPGP secret key as gpg --export-secret-keys --armor KEYID writes it; its "
            + "passphrase, if any, from NVMESH_SIGN_PASSPHRASE.")
    Path signKey;

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
        PrintWriter out = spec.commandLine().getOut();
        if (timeout != null && !wait) {
            throw CommandException.usage("--timeout applies only with --wait");
        }
        // Checked before committing: a wait that cannot start should not leave a half-done apply behind.
        ServerAddress address = wait ? server.address() : null;
        Duration limit = wait ? DurationOption.parse("--timeout", timeout == null ? "5m" : timeout) : null;
        Optional<SavedPlan> plan = savedPlan();
        CommitSigner signer = signer();
        try (RepositoryOptions.Opened repo = repository.open()) {
            ApplyResult r = plan.isPresent()
                    ? DesiredApply.applyPlan(repo.store(), repository.branch, plan.get(), message,
                            repo.store().defaultAuthor(), signer)
                    : DesiredApply.apply(repo.store(), repository.branch, LocalManifests.read(paths, Path.of("")),
                            prune, Optional.ofNullable(expect), message, repo.store().defaultAuthor(), signer);
            if (!r.changed()) {
                out.println("no changes: " + r.branch() + " at " + shortId(r.commit())
                        + " already has these manifests");
            } else {
                r.written().forEach(p -> out.println("  write  " + p));
                r.removed().forEach(p -> out.println("  remove " + p));
                out.println(r.branch() + ": " + shortId(r.previousCommit()) + " → "
                        + shortId(r.commit()) + " (" + r.written().size() + " written, "
                        + r.removed().size() + " removed)");
            }
            if (!r.kept().isEmpty()) {
                out.println(Unpruned.sentence(r.kept()));
            }
            if (!wait) {
                return ExitCode.OK.code();
            }
            AppliedVolumes volumes = AppliedVolumes.between(repo.store(), repository.branch, r.previousCommit(),
                    r.commit());
            return awaitVolumes(out, address, volumes, limit, r);
        }
    }

    private int awaitVolumes(PrintWriter out, ServerAddress address, AppliedVolumes volumes, Duration limit,
            ApplyResult applied) throws InterruptedException {
        String commit = shortId(volumes.commit());
        if (volumes.isEmpty()) {
            out.println("nothing to wait for: " + commit + " desires no volume");
            return ExitCode.OK.code();
        }
        int total = volumes.changed().size() + volumes.removed().size();
        out.println("waiting for " + total + " volume(s) of " + commit + " on " + address.server() + " (timeout "
                + (timeout == null ? "5m" : timeout) + ")");
        out.flush();
        WaitProgress progress = new WaitProgress(out, Terminal.interactive(), Terminal.colour());
        List<VolumeWait.State> end;
        ServerClient client = new ServerClient(address);
        try {
            end = new VolumeWait(client, volumes.commit(), volumes.changed(), volumes.removed(), progress).run(limit);
        } catch (ServerException e) {
            progress.finish();
            throw CommandException.problems("%s is committed, but its volumes cannot be followed: %s", commit,
                    e.getMessage());
        } finally {
            progress.finish();
        }
        List<VolumeWait.State> failed = end.stream().filter(s -> s.verdict() == VolumeWait.Verdict.FAILED).toList();
        List<VolumeWait.State> waiting = end.stream().filter(s -> !s.settled()).toList();
        if (!failed.isEmpty()) {
            StringBuilder why = new StringBuilder();
            for (VolumeWait.State s : failed) {
                String fit = doesNotFit(client, s, volumes);
                why.append(why.length() == 0 ? "" : "; ").append(s.name()).append(" (").append(s.describe())
                        .append(fit.isEmpty() ? "" : "; " + fit).append(')');
            }
            throw CommandException.problems("%d of %d volume(s) failed: %s%s; %s", failed.size(), total, why,
                    waiting.isEmpty() ? "" : "; still waiting: " + list(waiting), undo(applied));
        }
        if (!waiting.isEmpty()) {
            throw CommandException.problems("timed out after %s: %d of %d volume(s) not online yet: %s; %s",
                    timeout == null ? "5m" : timeout, waiting.size(), total, list(waiting), undo(applied));
        }
        long deleted = end.stream().filter(s -> s.verdict() == VolumeWait.Verdict.DELETED).count();
        long online = total - deleted;
        out.println(deleted == 0 ? "all " + online + " volume(s) online"
                : online == 0 ? "all " + deleted + " removed volume(s) deleted"
                : "all " + online + " volume(s) online, " + deleted + " deleted");
        return ExitCode.OK.code();
    }

    /**
     * For a new volume left pending because the planner found no room ({@code cannot place volume NAME (...)}, as
     * opposed to a missing policy or class), what its policy can place now, asked of the server; otherwise empty.
     */
    private static String doesNotFit(ServerClient client, VolumeWait.State s, AppliedVolumes volumes) {
        String policy = volumes.policyOf().get(s.name());
        if (s.removal() || policy == null || !s.status().equals("pending")
                || !s.reason().startsWith("cannot place volume " + s.name() + " (")) {
            return "";
        }
        return PolicyRoom.doesNotFit(client, policy);
    }

    /**
     * What a failed wait leaves behind and how to take it back: the commit is desired state now, and reconcilers keep
     * trying it until it changes.
     */
    static String undo(ApplyResult r) {
        String commit = shortId(r.commit());
        String branch = r.branch().startsWith("refs/heads/") ? r.branch().substring(11) : r.branch();
        if (!r.changed()) {
            return "the manifests stay as they are on " + branch + " at " + commit + "; to take a volume back, remove "
                    + "its file and run nvmesh apply --prune";
        }
        return "commit " + commit + " stays on " + branch + " and the reconcilers keep trying it; to undo it, git "
                + "revert " + commit + " in a checkout of " + branch + " and push, or remove a new volume's file and "
                + "run nvmesh apply --prune";
    }

    private static String list(List<VolumeWait.State> states) {
        StringBuilder sb = new StringBuilder();
        for (VolumeWait.State s : states) {
            sb.append(sb.length() == 0 ? "" : "; ").append(s.name()).append(" (").append(s.describe()).append(')');
        }
        return sb.toString();
    }

    /** Read before committing, so a key that does not unlock leaves nothing half done. */
    private CommitSigner signer() {
        if (signKey != null && !sign) {
            throw CommandException.usage("--sign-key applies only with --sign");
        }
        if (!sign) {
            return null;
        }
        String env = System.getenv("NVMESH_SIGN_KEY");
        Path key = signKey != null ? signKey : env == null || env.isBlank() ? null : Path.of(env);
        if (key == null) {
            throw CommandException.usage("--sign needs a key: --sign-key FILE or NVMESH_SIGN_KEY");
        }
        String pass = System.getenv("NVMESH_SIGN_PASSPHRASE");
        try {
            if (SshSigner.isSshKey(key)) {
                return SshSigner.read(key, pass == null ? new char[0] : pass.toCharArray());
            }
            return OpenPgpSigner.read(key, pass == null ? new char[0] : pass.toCharArray());
        } catch (IllegalArgumentException e) {
            throw CommandException.usage("%s", e.getMessage());
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
