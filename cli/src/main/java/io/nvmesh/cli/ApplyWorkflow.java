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
import io.nvmesh.core.reconcile.LocalManifests;
import io.nvmesh.core.reconcile.SavedPlan;
import io.nvmesh.core.reconcile.Unpruned;
import io.nvmesh.core.state.CommitSigner;
import io.nvmesh.core.state.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code nvmesh apply} does once its options are read: commit the manifests (or a saved plan) to the desired
 * branch and say what changed; with a wait, follow the volumes the commit touched until each settles, and judge them.
 * Validation, the diff against the branch and the refusals are {@link DesiredApply}'s; following a volume is
 * {@link VolumeWait}'s.
 */
final class ApplyWorkflow {

    /** What to commit: a saved plan (which pins its commits), or the manifests under {@code paths}. */
    record Change(Optional<SavedPlan> plan, List<String> paths, boolean prune, Optional<String> expect,
            String message, CommitSigner signer) {
        Change {
            paths = List.copyOf(paths);
        }
    }

    /** {@code --wait}: the server to ask, and how long to wait ({@code spelled} as the user gave it). */
    record Wait(ServerAddress address, Duration limit, String spelled) {
    }

    private final PrintWriter out;

    ApplyWorkflow(PrintWriter out) {
        this.out = out;
    }

    /** Commits {@code change} to {@code branch}, then waits if asked; the exit code, or a {@link CommandException}. */
    int run(StateStore store, String branch, Change change, Optional<Wait> wait)
            throws IOException, InterruptedException {
        ApplyResult r = change.plan().isPresent()
                ? DesiredApply.applyPlan(store, branch, change.plan().get(), change.message(), store.defaultAuthor(),
                        change.signer())
                : DesiredApply.apply(store, branch, LocalManifests.read(change.paths(), Path.of("")), change.prune(),
                        change.expect(), change.message(), store.defaultAuthor(), change.signer());
        committed(r);
        if (wait.isEmpty()) {
            return ExitCode.OK.code();
        }
        return await(wait.get(), AppliedVolumes.between(store, branch, r.previousCommit(), r.commit()), r);
    }

    private void committed(ApplyResult r) {
        if (!r.changed()) {
            out.println("no changes: " + r.branch() + " at " + shortId(r.commit()) + " already has these manifests");
        } else {
            r.written().forEach(p -> out.println("  write  " + p));
            r.removed().forEach(p -> out.println("  remove " + p));
            out.println(r.branch() + ": " + shortId(r.previousCommit()) + " → " + shortId(r.commit()) + " ("
                    + r.written().size() + " written, " + r.removed().size() + " removed)");
        }
        if (!r.kept().isEmpty()) {
            out.println(Unpruned.sentence(r.kept()));
        }
    }

    private int await(Wait wait, AppliedVolumes volumes, ApplyResult applied) throws InterruptedException {
        String commit = shortId(volumes.commit());
        if (volumes.isEmpty()) {
            out.println("nothing to wait for: " + commit + " desires no volume");
            return ExitCode.OK.code();
        }
        int total = volumes.changed().size() + volumes.removed().size();
        out.println("waiting for " + total + " volume(s) of " + commit + " on " + wait.address().server()
                + " (timeout " + wait.spelled() + ")");
        out.flush();
        WaitProgress progress = new WaitProgress(out, Terminal.interactive(), Terminal.colour());
        List<VolumeWait.State> end;
        ServerClient client = new ServerClient(wait.address());
        try {
            end = new VolumeWait(client, volumes.commit(), volumes.changed(), volumes.removed(), progress)
                    .run(wait.limit());
        } catch (ServerException e) {
            throw new ServerException(commit + " is committed, but its volumes cannot be followed: " + e.getMessage());
        } finally {
            progress.finish();
        }
        List<VolumeWait.State> failed = end.stream().filter(s -> s.verdict() == VolumeWait.Verdict.FAILED).toList();
        List<VolumeWait.State> waiting = end.stream().filter(s -> !s.settled()).toList();
        if (!failed.isEmpty()) {
            String why = failed.stream().map(s -> named(s, doesNotFit(client, s, volumes)))
                    .collect(Collectors.joining("; "));
            throw CommandException.problems("%d of %d volume(s) failed: %s%s; %s", failed.size(), total, why,
                    waiting.isEmpty() ? "" : "; still waiting: " + list(waiting), undo(applied));
        }
        if (!waiting.isEmpty()) {
            throw CommandException.problems("timed out after %s: %d of %d volume(s) not online yet: %s; %s",
                    wait.spelled(), waiting.size(), total, list(waiting), undo(applied));
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
        return states.stream().map(s -> named(s, "")).collect(Collectors.joining("; "));
    }

    /** {@code db-01 (pending: no room; more)}. */
    private static String named(VolumeWait.State s, String more) {
        return s.name() + " (" + s.describe() + (more.isEmpty() ? "" : "; " + more) + ")";
    }
}
