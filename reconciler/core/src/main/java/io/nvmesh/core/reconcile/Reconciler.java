package io.nvmesh.core.reconcile;

import io.nvmesh.core.state.CommitIds;
import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.record.Reconciled;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.signature.SignaturePolicy;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
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
    private final StateWriter writer;
    /** Passes that found their desired commit stale start again from the new tip at most this often. */
    private static final int STALE_ATTEMPTS = 5;
    private static final String STALE = "stale: ";
    private final Map<String, DesiredManifests> previous = new ConcurrentHashMap<>();
    /** The last desired commit validated, and its manifests: a loop mostly sees the same commit again. */
    private final AtomicReference<Map.Entry<String, DesiredManifests>> lastDesired = new AtomicReference<>();
    private volatile Supplier<String> maxHold = () -> "";
    private volatile SignaturePolicy signatures = SignaturePolicy.off();

    /**
     * @param ownsVolume which volumes this reconciler places, extends, moves and deletes (all: {@code v -> true});
     *        the others are left to their owners
     */
    public Reconciler(StateStore store, String branch, Predicate<String> ownsVolume, Author author) {
        this.store = Objects.requireNonNull(store, "store");
        this.desired = new DesiredBranch(store, branch);
        this.ownsVolume = Objects.requireNonNull(ownsVolume, "ownsVolume");
        this.author = Objects.requireNonNull(author, "author");
        this.writer = new StateWriter(store, branch, author);
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
     * Reconcile only desired commits that {@code policy} accepts (default: {@link SignaturePolicy#off()}). A refused
     * tip is recorded like an invalid one ({@code outcome: invalid at <short>: signature check: ...}) and nothing of
     * it is applied: the state stays at the last good desired commit.
     */
    public void requireSignatures(SignaturePolicy policy) {
        this.signatures = Objects.requireNonNull(policy, "policy");
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

    /** The writer every commit of this reconciler goes through; a service shares it with its other writers. */
    public StateWriter writer() {
        return writer;
    }

    /**
     * One pass: plans the owned volumes from the desired branch's tip against the state ref's tip and records the
     * result. The pass never records a desired commit older than the one the state already records, and never one
     * that is not the tip any more: when the branch moved (or another pass recorded a newer commit) between reading
     * and committing, it starts again from the new tip, so a volume that a newer commit added is never deleted by a
     * pass planned from an older one.
     */
    public ReconcileReport reconcileOnce() {
        ReconcileReport last = null;
        for (int attempt = 0; attempt < STALE_ATTEMPTS; attempt++) {
            last = passAtTip();
            if (last != null) {
                return last;
            }
        }
        throw new GitOpsRefusal("the desired branch " + desired.ref() + " kept moving, or points at a commit older "
                + "than the one the state records (was it rewound? push a new commit on top instead); nothing recorded");
    }

    /** A pass from the tip as it is now; null when the tip turned out stale and the pass must start again. */
    private ReconcileReport passAtTip() {
        Snapshot desiredSnapshot = desired.read();
        if (!desiredSnapshot.exists()) {
            return new ReconcileReport(ReconcileReport.Kind.NO_DESIRED, "", store.resolve(StateStore.STATE_REF),
                    List.of(), List.of(), 0, "branch " + desired.ref() + " does not exist yet; "
                    + "nothing to reconcile (nvmesh apply creates it)", null);
        }
        String commit = desiredSnapshot.commitId();
        SignaturePolicy policy = signatures;
        if (policy.isRequired() && !policy.passed(commit)) {
            ReconcileReport refused = refuseUnsigned(policy, commit);
            if (refused != null) {
                return refused;
            }
        }
        DesiredManifests manifests = manifestsOf(desiredSnapshot);
        if (!manifests.valid()) {
            return recordInvalid(commit, manifests);
        }
        DesiredState desiredState = manifests.state();
        DesiredFacts facts = DesiredFacts.of(commit, desiredState);
        AtomicReference<Reconciliation.Result> last = new AtomicReference<>();
        String hold = maxHold.get();
        StateWriter.Result r = writer.write(recorded -> {
            String stale = staleness(recorded, commit);
            if (!stale.isEmpty()) {
                return StateWriter.Proposal.refuse(STALE + stale);
            }
            Reconciliation.Result result = Reconciliation.run(Reconciliation.Input.of(recorded, desiredState, commit)
                    .previousPolicies(name -> previousPolicy(recorded.reconciled().desiredCommit(), name))
                    .owns(ownsVolume).maxHold(hold));
            last.set(result);
            return StateWriter.Proposal.write(result.after(), message(commit, result), facts);
        });
        Reconciliation.Result result = last.get();
        List<String> blocked = result == null ? List.of() : result.blocked();
        List<Action> actions = result == null ? List.of() : result.plan().actions();
        return switch (r.kind()) {
            case RECORDED -> new ReconcileReport(ReconcileReport.Kind.RECORDED, commit, r.commitId(), actions, blocked,
                    r.retries(), message(commit, result), r.state());
            case UNCHANGED -> new ReconcileReport(ReconcileReport.Kind.UNCHANGED, commit, r.commitId(), actions,
                    blocked, r.retries(), "recorded state already matches " + CommitIds.shortId(commit), null);
            case GAVE_UP -> new ReconcileReport(ReconcileReport.Kind.GAVE_UP, commit, "", List.of(), List.of(),
                    r.retries(), r.reason(), null);
            case REFUSED -> {
                if (r.reason().startsWith(STALE)) {
                    yield null;
                }
                throw new GitOpsRefusal(r.reason());
            }
        };
    }

    /**
     * Why {@code commit} must not be recorded over {@code recorded} ({@code ""}: it may): the desired branch moved on
     * since it was read, or the state already records a newer desired commit.
     */
    private String staleness(RecordedState recorded, String commit) {
        String tip = store.resolve(desired.ref());
        if (!tip.equals(commit)) {
            return "the desired branch moved from " + CommitIds.shortId(commit) + " to "
                    + CommitIds.shortId(tip);
        }
        String was = recorded.reconciled().desiredCommit();
        if (!was.isEmpty() && !was.equals(commit) && store.isAncestor(desired.ref(), commit, was)) {
            return "the state records desired commit " + CommitIds.shortId(was) + ", newer than "
                    + CommitIds.shortId(commit);
        }
        return "";
    }

    /**
     * Checks the commits since the last reconciled desired commit up to {@code commit}; when one is refused, records
     * why (as an invalid desired commit is) and answers the report, otherwise null. The last good desired commit is
     * read from the state the marker would be written over, so the range is the one the state really records.
     */
    private ReconcileReport refuseUnsigned(SignaturePolicy policy, String commit) {
        AtomicReference<String> outcome = new AtomicReference<>("");
        StateWriter.Result r = writer.write(recorded -> {
            String why = policy.refusal(store, desired.ref(), recorded.reconciled().desiredCommit(), commit);
            if (why.isEmpty()) {
                outcome.set("");
                return StateWriter.Proposal.keep();
            }
            String o = "invalid at " + CommitIds.shortId(commit) + ": " + why;
            outcome.set(o);
            Reconciled marker = new Reconciled(recorded.reconciled().desiredCommit(), commit, o);
            return marker.equals(recorded.reconciled()) ? StateWriter.Proposal.keep()
                    : StateWriter.Proposal.write(recorded.withReconciled(marker), "reconcile: desired " + o, null);
        });
        if (r.kind() == StateWriter.Result.Kind.REFUSED) {
            throw new GitOpsRefusal(r.reason());
        }
        if (outcome.get().isEmpty()) {
            return null;
        }
        return new ReconcileReport(ReconcileReport.Kind.INVALID, commit, r.commitId(), List.of(), List.of(),
                r.retries(), outcome.get(), r.state());
    }

    private ReconcileReport recordInvalid(String commit, DesiredManifests manifests) {
        String outcome = DesiredManifests.invalidOutcome(commit, manifests.problems());
        StateWriter.Result r = writer.write(recorded -> {
            Reconciled marker = new Reconciled(recorded.reconciled().desiredCommit(), commit, outcome);
            return marker.equals(recorded.reconciled()) ? StateWriter.Proposal.keep()
                    : StateWriter.Proposal.write(recorded.withReconciled(marker), "reconcile: desired " + outcome,
                            null);
        });
        if (r.kind() == StateWriter.Result.Kind.REFUSED) {
            throw new GitOpsRefusal(r.reason());
        }
        return new ReconcileReport(ReconcileReport.Kind.INVALID, commit, r.commitId(), List.of(), List.of(),
                r.retries(), outcome, r.state());
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
            return "reconcile " + CommitIds.shortId(commit);
        }
        return "reconcile " + CommitIds.shortId(commit) + ": " + counts(result.plan().actions());
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
