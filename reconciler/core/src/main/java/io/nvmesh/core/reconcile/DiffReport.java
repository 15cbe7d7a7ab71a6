package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.allocation.Role;
import io.nvmesh.core.allocation.Usage;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@code nvmesh diff} found: desired (a ref, or the branch with local files over it) against recorded state.
 *
 * @param desiredRef the desired branch or ref read
 * @param desiredCommit the commit of it that the desired tree is based on ({@code ""}: the branch does not exist)
 * @param localFiles how many local files were laid over it (0 for {@code --ref})
 * @param stateCommit the state commit compared with ({@code ""}: no recorded state yet)
 * @param reconciledFrom the desired commit that state was reconciled from ({@code ""}: never)
 * @param lastOutcome the last reconcile outcome recorded ({@code ok at ...}, {@code invalid at ...})
 * @param changes desired objects that differ from those at {@code reconciledFrom}
 * @param actions the plan a reconciler would record, in plan order
 * @param placements where each new or moved segment would go
 * @param before cluster capacity now
 * @param after cluster capacity after the placed actions
 * @param blocked volumes whose deletion is refused by deletion protection
 * @param puts files an apply of this diff writes to the desired branch
 * @param deletes files an apply of this diff removes from it ({@code --prune})
 * @param kept objects on the branch whose files are gone from the folders given, kept because {@code --prune} was
 *        not asked
 * @param largestPlaceable for a volume that does not fit, the largest volume its policy can place beside the rest of
 *        this plan (bytes of data), as {@code nvmesh get capacity --policy} would say once the plan is recorded
 */
public record DiffReport(String desiredRef, String desiredCommit, int localFiles, String stateCommit,
        String reconciledFrom, String lastOutcome, List<ManifestChange> changes, List<Action> actions,
        List<SegmentPlacement> placements, Usage before, Usage after, List<String> blocked,
        SortedMap<String, byte[]> puts, List<String> deletes, List<Unpruned> kept,
        SortedMap<String, Largest> largestPlaceable) {

    /** One segment that a create, extend or move puts on a drive. */
    public record SegmentPlacement(String volume, ActionKind kind, int chunk, int group, int segment, Role role,
            String target, String serial, long offset, long length, String fromTarget, String fromSerial) {
    }

    /** The largest volume (bytes of data) {@code policy} can place beside the rest of the plan. */
    public record Largest(String policy, long bytes) {
    }

    public DiffReport {
        Objects.requireNonNull(desiredRef, "desiredRef");
        Objects.requireNonNull(desiredCommit, "desiredCommit");
        Objects.requireNonNull(stateCommit, "stateCommit");
        Objects.requireNonNull(reconciledFrom, "reconciledFrom");
        Objects.requireNonNull(lastOutcome, "lastOutcome");
        changes = List.copyOf(changes);
        actions = List.copyOf(actions);
        placements = List.copyOf(placements);
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
        blocked = List.copyOf(blocked);
        puts = Collections.unmodifiableSortedMap(new TreeMap<>(puts));
        deletes = List.copyOf(deletes);
        kept = List.copyOf(kept);
        largestPlaceable = Collections.unmodifiableSortedMap(new TreeMap<>(largestPlaceable));
    }

    public long count(ActionKind kind) {
        return actions.stream().filter(a -> a.kind() == kind && a.outcome() == Outcome.PLACED).count();
    }

    public List<Action> unplaceable() {
        return actions.stream().filter(a -> a.outcome() == Outcome.UNPLACEABLE).toList();
    }

    /** Whether desired and recorded differ: a manifest change, an action (even one that cannot be placed). */
    public boolean hasChanges() {
        return !changes.isEmpty() || !actions.isEmpty();
    }

    /** {@code Plan: 3 to create, 1 to extend, 0 to delete, 2 to move.} */
    public String summary() {
        String s = "Plan: " + count(ActionKind.CREATE) + " to create, " + count(ActionKind.EXTEND) + " to extend, "
                + count(ActionKind.DELETE) + " to delete, " + count(ActionKind.MOVE) + " to move.";
        int u = unplaceable().size();
        int b = blocked.size();
        return s + (u > 0 ? " " + u + " cannot be placed." : "") + (b > 0 ? " " + b + " deletion"
                + (b == 1 ? "" : "s") + " blocked." : "");
    }
}
