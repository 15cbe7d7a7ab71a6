package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.record.Reconciled;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.Decision;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.state.UpdateResult;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One reconciler: reads the desired branch and the state ref, and records the allocations of the volumes it owns in
 * one compare-and-swap commit. On a lost race the pass re-reads the state and plans again against it, so what is
 * published was checked against the exact state it replaces. Thread-safe; passes may run concurrently.
 */
public final class Reconciler {

    private final StateStore store;
    private final DesiredBranch desired;
    private final Predicate<String> ownsVolume;
    private final Author author;
    private final Map<String, DesiredManifests> previous = new ConcurrentHashMap<>();
    /** The last desired commit validated, and its manifests: a loop mostly sees the same commit again. */
    private final AtomicReference<Map.Entry<String, DesiredManifests>> lastDesired = new AtomicReference<>();
    private volatile Supplier<String> maxHold = () -> "";

    /**
     * @param ownsVolume which volumes this reconciler places, extends, moves and deletes (all: {@code v -> true});
     *        the others are left to their owners
     */
    public Reconciler(StateStore store, String branch, Predicate<String> ownsVolume, Author author) {
        this.store = Objects.requireNonNull(store, "store");
        this.desired = new DesiredBranch(store, branch);
        this.ownsVolume = Objects.requireNonNull(ownsVolume, "ownsVolume");
        this.author = Objects.requireNonNull(author, "author");
    }

    public Reconciler(StateStore store, String branch) {
        this(store, branch, v -> true, store.defaultAuthor());
    }

    /**
     * Asked at each pass: a non-empty answer is why {@code capacity: max} volumes that are not placed yet must wait
     * (they are recorded pending with that reason, which should begin {@link VolumeRecord#WAITING}). A service uses
     * it to size them against a settled inventory, since a {@code max} volume is sized once, at create.
     */
    public void holdMaxVolumes(Supplier<String> reason) {
        this.maxHold = Objects.requireNonNull(reason, "reason");
    }

    /**
     * The volumes of the desired branch's tip, empty when the branch does not exist or its manifests are invalid.
     * A service feeds their names to its ownership before {@link #reconcileOnce}; the tip's manifests are cached, so
     * the pass that follows does not validate them again.
     */
    public List<Volume> desiredVolumes() {
        Snapshot desiredSnapshot = desired.read();
        if (!desiredSnapshot.exists()) {
            return List.of();
        }
        DesiredManifests manifests = manifestsOf(desiredSnapshot);
        return manifests.valid() ? manifests.state().volumes() : List.of();
    }

    /**
     * The desired state at the branch tip (policies, classes, volumes), or empty while the branch does not exist or
     * its manifests are invalid. Shares the cache of {@link #desiredVolumes}.
     */
    public Optional<DesiredState> desiredState() {
        Snapshot desiredSnapshot = desired.read();
        if (!desiredSnapshot.exists()) {
            return Optional.empty();
        }
        DesiredManifests manifests = manifestsOf(desiredSnapshot);
        return manifests.valid() ? Optional.of(manifests.state()) : Optional.empty();
    }

    private DesiredManifests manifestsOf(Snapshot desiredSnapshot) {
        String commit = desiredSnapshot.commitId();
        Map.Entry<String, DesiredManifests> cached = lastDesired.get();
        if (cached != null && cached.getKey().equals(commit)) {
            return cached.getValue();
        }
        DesiredManifests manifests = DesiredManifests.load(DesiredFiles.of(desiredSnapshot));
        lastDesired.set(Map.entry(commit, manifests));
        return manifests;
    }

    public ReconcileReport reconcileOnce() {
        Snapshot desiredSnapshot = desired.read();
        if (!desiredSnapshot.exists()) {
            return new ReconcileReport(ReconcileReport.Kind.NO_DESIRED, "", store.read(StateStore.STATE_REF)
                    .commitId(), List.of(), List.of(), 0, "branch " + desired.ref() + " does not exist yet; "
                    + "nothing to reconcile (nvmesh apply creates it)");
        }
        String commit = desiredSnapshot.commitId();
        DesiredManifests manifests = manifestsOf(desiredSnapshot);
        if (!manifests.valid()) {
            return recordInvalid(commit, manifests);
        }
        DesiredState desiredState = manifests.state();
        AtomicReference<Reconciliation.Result> last = new AtomicReference<>();
        String hold = maxHold.get();
        UpdateResult r = store.update(StateStore.STATE_REF, author, snapshot -> {
            RecordedState recorded = Reconciliation.decode(snapshot);
            Reconciliation.Result result = Reconciliation.run(recorded, desiredState, commit,
                    name -> previousPolicy(recorded.reconciled().desiredCommit(), name), ownsVolume, hold);
            last.set(result);
            Changes changes = StateFiles.changes(snapshot, result.after());
            if (changes.isEmpty()) {
                return Decision.noChange();
            }
            return Decision.commit(changes, message(commit, result));
        });
        Reconciliation.Result result = last.get();
        List<String> blocked = result == null ? List.of() : result.blocked();
        List<Action> actions = result == null ? List.of() : result.plan().actions();
        if (r instanceof UpdateResult.Updated u) {
            return new ReconcileReport(ReconcileReport.Kind.RECORDED, commit, u.commitId(), actions, blocked,
                    u.retries(), message(commit, result));
        }
        if (r instanceof UpdateResult.Unchanged u) {
            return new ReconcileReport(ReconcileReport.Kind.UNCHANGED, commit, u.commitId(), actions, blocked,
                    u.retries(), "recorded state already matches " + DesiredManifests.shortId(commit));
        }
        if (r instanceof UpdateResult.Aborted a) {
            throw new GitOpsRefusal(a.reason());
        }
        UpdateResult.GaveUp g = (UpdateResult.GaveUp) r;
        return new ReconcileReport(ReconcileReport.Kind.GAVE_UP, commit, "", List.of(), List.of(), g.retries(),
                "gave up after " + g.retries() + " retries: " + g.last());
    }

    private ReconcileReport recordInvalid(String commit, DesiredManifests manifests) {
        String outcome = DesiredManifests.invalidOutcome(commit, manifests.problems());
        UpdateResult r = store.update(StateStore.STATE_REF, author, snapshot -> {
            RecordedState recorded = Reconciliation.decode(snapshot);
            Reconciled marker = new Reconciled(recorded.reconciled().desiredCommit(), commit, outcome);
            if (marker.equals(recorded.reconciled())) {
                return Decision.noChange();
            }
            Changes changes = StateFiles.changes(snapshot, recorded.withReconciled(marker));
            return Decision.commit(changes, "reconcile: desired " + outcome);
        });
        String state = r instanceof UpdateResult.Updated u ? u.commitId()
                : r instanceof UpdateResult.Unchanged u ? u.commitId() : "";
        return new ReconcileReport(ReconcileReport.Kind.INVALID, commit, state, List.of(), List.of(), r.retries(),
                outcome);
    }

    private VolumePolicy previousPolicy(String commit, String name) {
        if (commit.isEmpty()) {
            return null;
        }
        DesiredManifests m = previous.computeIfAbsent(commit,
                c -> DesiredManifests.load(DesiredFiles.of(desired.readAt(c))));
        Manifest p = m.objects.get("VolumePolicy " + name);
        return p instanceof VolumePolicy vp ? vp : null;
    }

    static String message(String commit, Reconciliation.Result result) {
        if (result == null) {
            return "reconcile " + DesiredManifests.shortId(commit);
        }
        return "reconcile " + DesiredManifests.shortId(commit) + ": " + counts(result.plan().actions());
    }

    /** {@code 3 created, 1 extended, 0 deleted, 2 moved, 1 unplaceable}. */
    static String counts(List<Action> actions) {
        long[] n = new long[ActionKind.values().length];
        long unplaceable = 0;
        for (Action a : actions) {
            if (a.outcome() == Outcome.PLACED) {
                n[a.kind().ordinal()]++;
            } else {
                unplaceable++;
            }
        }
        return n[ActionKind.CREATE.ordinal()] + " created, " + n[ActionKind.EXTEND.ordinal()] + " extended, "
                + n[ActionKind.DELETE.ordinal()] + " deleted, " + n[ActionKind.MOVE.ordinal()] + " moved, "
                + unplaceable + " unplaceable";
    }
}
