package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.CommitSigner;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.CommitResult;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Volume;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code nvmesh apply}: validates the desired tree that would result, refuses to drop a volume with deletion
 * protection that was ever placed, and commits to the desired branch by compare-and-swap on the tip it read (or the one the user saw).
 */
public final class DesiredApply {

    private DesiredApply() {
    }

    /**
     * Writes {@code local} over the branch (with {@code prune}, also removes the branch's manifests under the named
     * folders that no longer exist locally).
     *
     * @param expect the tip the user last saw ({@code nvmesh diff} prints it), a full id or a prefix; empty: the tip
     *        read now
     */
    public static ApplyResult apply(StateStore store, String branch, LocalManifests local, boolean prune,
            Optional<String> expect, String message, Author author) {
        return apply(store, branch, local, prune, expect, message, author, null);
    }

    /** As above, the commit signed by {@code signer} ({@code null}: unsigned). */
    public static ApplyResult apply(StateStore store, String branch, LocalManifests local, boolean prune,
            Optional<String> expect, String message, Author author, CommitSigner signer) {
        DesiredBranch b = new DesiredBranch(store, branch);
        Snapshot tip = b.read();
        expect.ifPresent(e -> {
            if (e.length() < 7 && !e.isEmpty() || !tip.commitId().startsWith(e)) {
                throw new GitOpsRefusal("branch " + b.ref() + " is at " + describe(tip.commitId()) + ", not at "
                        + e + " as expected; nothing was committed; run nvmesh diff again");
            }
        });
        DesiredFiles base = DesiredFiles.of(tip);
        List<Unpruned> kept = prune ? List.of() : base.objectsIn(base.prunable(local));
        return commit(store, b, base, base.overlay(local, prune), message, author, signer).withKept(kept);
    }

    /** Applies a saved plan, refusing it when the desired branch or the recorded state moved since it was made. */
    public static ApplyResult applyPlan(StateStore store, String branch, SavedPlan plan, String message,
            Author author) {
        return applyPlan(store, branch, plan, message, author, null);
    }

    /** As above, the commit signed by {@code signer} ({@code null}: unsigned). */
    public static ApplyResult applyPlan(StateStore store, String branch, SavedPlan plan, String message,
            Author author, CommitSigner signer) {
        DesiredBranch b = new DesiredBranch(store, branch);
        Snapshot tip = b.read();
        Snapshot state = store.read(StateStore.STATE_REF);
        List<String> stale = new ArrayList<>();
        if (!tip.commitId().equals(plan.desiredCommit())) {
            DesiredFiles then = plan.desiredCommit().isEmpty() ? new DesiredFiles("", new TreeMap<>(), Map.of())
                    : DesiredFiles.of(b.readAt(plan.desiredCommit()));
            SortedSet<String> changed = DesiredFiles.of(tip).changedFrom(then);
            stale.add("desired branch " + b.ref() + " moved from " + describe(plan.desiredCommit()) + " to "
                    + describe(tip.commitId()) + (changed.isEmpty() ? "" : "; changed since: "
                    + String.join(", ", first(changed, 20))));
        }
        if (!state.commitId().equals(plan.stateCommit())) {
            SortedSet<String> objects = new TreeSet<>();
            Snapshot then = plan.stateCommit().isEmpty() ? Snapshot.empty()
                    : store.read(StateStore.STATE_REF, plan.stateCommit());
            Map<String, byte[]> a = then.files();
            Map<String, byte[]> c = state.files();
            for (Map.Entry<String, byte[]> e : c.entrySet()) {
                if (!Arrays.equals(a.get(e.getKey()), e.getValue())) {
                    objects.add(StateFiles.objectOf(e.getKey()));
                }
            }
            a.keySet().stream().filter(p -> !c.containsKey(p)).forEach(p -> objects.add(StateFiles.objectOf(p)));
            stale.add("recorded state moved from " + describe(plan.stateCommit()) + " to "
                    + describe(state.commitId()) + (objects.isEmpty() ? "" : "; changed since: "
                    + String.join(", ", first(objects, 20))));
        }
        if (!stale.isEmpty()) {
            throw new GitOpsRefusal("the saved plan is stale; nothing was committed; run nvmesh diff again", stale);
        }
        DesiredFiles base = DesiredFiles.of(tip);
        SortedMap<String, byte[]> files = new TreeMap<>(base.files());
        files.putAll(plan.puts());
        plan.deletes().forEach(files::remove);
        return commit(store, b, base, new DesiredFiles(base.baseCommit(), files, Map.of()), message, author,
                signer);
    }

    private static ApplyResult commit(StateStore store, DesiredBranch b, DesiredFiles base, DesiredFiles next,
            String message, Author author, CommitSigner signer) {
        DesiredManifests manifests = DesiredManifests.load(next);
        if (!manifests.valid()) {
            throw new GitOpsRefusal("desired manifests are invalid; nothing was committed",
                    manifests.problems().stream().map(p -> p.render()).toList());
        }
        SortedSet<String> changed = next.changedFrom(base);
        List<String> protectedVolumes = removedProtected(store, base, next, changed, manifests);
        if (!protectedVolumes.isEmpty()) {
            throw new GitOpsRefusal("refusing to delete volumes with deletionProtection: true; nothing was committed "
                    + "(set deletionProtection: false and apply that first)", protectedVolumes);
        }
        Changes.Builder changes = Changes.builder();
        List<String> written = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String p : changed) {
            byte[] bytes = next.files().get(p);
            if (bytes != null) {
                changes.put(p, bytes);
                written.add(p);
            } else {
                changes.delete(p);
                removed.add(p);
            }
        }
        String tip = base.baseCommit();
        if (written.isEmpty() && removed.isEmpty()) {
            return new ApplyResult(b.ref(), tip, tip, List.of(), List.of());
        }
        CommitResult r = b.apply(tip, changes.build(), message.isBlank() ? defaultMessage(written, removed)
                : message, author, signer);
        if (r instanceof CommitResult.Committed c) {
            return new ApplyResult(b.ref(), tip, c.commitId(), written, removed);
        }
        if (r instanceof CommitResult.LostRace lost) {
            throw new GitOpsRefusal("branch " + b.ref() + " moved to " + describe(lost.actualId())
                    + " while applying; nothing was committed; run nvmesh diff again");
        }
        throw new GitOpsRefusal("branch " + b.ref() + " is locked by another writer (" + r
                + "); nothing was committed; try again");
    }

    /**
     * Volumes protected at the base that the next tree no longer has; only changed files can lose one. A volume that
     * was never placed is not held back ({@link DeletionProtection}); the recorded state is read only when some
     * protected volume goes.
     */
    private static List<String> removedProtected(StateStore store, DesiredFiles base, DesiredFiles next,
            SortedSet<String> changed, DesiredManifests nextManifests) {
        if (changed.isEmpty()) {
            return List.of();
        }
        DesiredManifests before = DesiredManifests.load(base.only(changed));
        RecordedState recorded = null;
        List<String> out = new ArrayList<>();
        for (Manifest m : before.objects.values()) {
            if (m instanceof Volume v && v.deletionProtection()
                    && !nextManifests.objects.containsKey(DesiredManifests.key(v))) {
                if (recorded == null) {
                    recorded = Reconciliation.decode(store.read(StateStore.STATE_REF));
                }
                if (DeletionProtection.guards(v, recorded)) {
                    out.add("Volume " + v.name() + " (" + before.fileOf.get(DesiredManifests.key(v)) + ")");
                }
            }
        }
        return out;
    }

    private static String defaultMessage(List<String> written, List<String> removed) {
        List<String> parts = new ArrayList<>();
        if (!written.isEmpty()) {
            parts.add("write " + (written.size() == 1 ? written.get(0) : written.size() + " files"));
        }
        if (!removed.isEmpty()) {
            parts.add("remove " + (removed.size() == 1 ? removed.get(0) : removed.size() + " files"));
        }
        return "nvmesh apply: " + String.join(", ", parts);
    }

    static String describe(String commit) {
        return commit.isEmpty() ? "(no commit)" : CommitIds.shortId(commit);
    }

    private static List<String> first(SortedSet<String> s, int n) {
        List<String> out = new ArrayList<>();
        for (String x : s) {
            if (out.size() == n) {
                out.add("and " + (s.size() - n) + " more");
                break;
            }
            out.add(x);
        }
        return out;
    }
}
