package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.Chunk;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Group;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Plan;
import io.nvmesh.core.allocation.Planner;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.SegmentMove;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.Snapshot;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.schema.Manifest;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * {@code nvmesh diff}: what would change if the desired tree were reconciled now. It runs the reconciler's own pure
 * body ({@link Reconciliation}) on the same inputs, so the preview is what a reconciler records when nothing moves
 * in between.
 */
public final class DesiredDiff {

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private DesiredDiff() {
    }

    /** The desired branch with {@code local} written over it (and, with {@code prune}, vanished files removed). */
    public static DiffReport ofLocal(StateStore store, String branch, LocalManifests local, boolean prune) {
        return ofLocal(readState(store), store, branch, local, prune);
    }

    /** Reads the local manifests, as {@link LocalManifests#read} does. */
    @FunctionalInterface
    public interface LocalRead {
        LocalManifests read() throws IOException;
    }

    /**
     * As {@link #ofLocal(StateStore, String, LocalManifests, boolean)}, reading the local files while the recorded
     * state is read: a checkout of 100,000 manifests (4,000 files) takes a fifth of a second to read on one core.
     *
     * @throws IOException as {@code local} throws it (a path that does not exist)
     */
    public static DiffReport ofLocal(StateStore store, String branch, LocalRead local, boolean prune)
            throws IOException {
        CompletableFuture<RecordedState> state = readState(store);
        return ofLocal(state, store, branch, local.read(), prune);
    }

    private static DiffReport ofLocal(CompletableFuture<RecordedState> state, StateStore store, String branch,
            LocalManifests local, boolean prune) {
        DesiredBranch b = new DesiredBranch(store, branch);
        Snapshot tip = b.read();
        DesiredFiles base = DesiredFiles.of(tip);
        DesiredFiles files = base.overlay(local, prune);
        SortedMap<String, byte[]> puts = new TreeMap<>();
        for (String p : files.changedFrom(base)) {
            if (files.files().containsKey(p)) {
                puts.put(p, files.files().get(p));
            }
        }
        List<String> deletes = base.files().keySet().stream().filter(p -> !files.files().containsKey(p)).toList();
        List<Unpruned> kept = prune ? List.of() : base.objectsIn(base.prunable(local));
        return diff(state, b, b.ref(), base, files, local.files().size(), puts, deletes, kept);
    }

    /** A ref of the desired repository ({@code main}, {@code refs/heads/next}) or a commit id of the branch. */
    public static DiffReport ofRef(StateStore store, String branch, String ref) {
        CompletableFuture<RecordedState> state = readState(store);
        DesiredBranch b = new DesiredBranch(store, branch);
        Snapshot s = COMMIT.matcher(ref).matches() ? b.readAt(ref) : store.read(ref);
        if (!s.exists()) {
            throw new GitOpsRefusal("ref " + ref + " does not exist in the desired repository");
        }
        DesiredFiles files = DesiredFiles.of(s);
        return diff(state, b, ref, files, files, 0, new TreeMap<>(), List.of(), List.of());
    }

    /**
     * Reads and decodes the recorded state on a thread of its own. Started before the desired files are read: the two
     * are independent, and at 100,000 volumes decoding the state takes as long as validating the desired tree.
     */
    private static CompletableFuture<RecordedState> readState(StateStore store) {
        CompletableFuture<RecordedState> state = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                state.complete(Reconciliation.decode(store.read(StateStore.STATE_REF)));
            } catch (Throwable e) {
                state.completeExceptionally(e);
            }
        }, "nvmesh-state-reader");
        reader.setDaemon(true);
        reader.start();
        return state;
    }

    /** {@code base}: the branch's files as read for {@code files} (no local files), reused when the state is at it. */
    private static DiffReport diff(CompletableFuture<RecordedState> state, DesiredBranch branch, String shownRef,
            DesiredFiles base, DesiredFiles files, int localFiles, SortedMap<String, byte[]> puts, List<String> deletes,
            List<Unpruned> kept) {
        DesiredManifests now = DesiredManifests.load(files);
        if (!now.valid()) {
            throw new GitOpsRefusal("desired manifests are invalid; nothing to preview",
                    now.problems().stream().map(p -> p.render()).toList());
        }
        DesiredState desired = now.state(); // while the state may still be decoding
        RecordedState recorded = join(state);
        String from = recorded.reconciled().desiredCommit();
        DesiredFiles previousFiles = from.isEmpty() ? new DesiredFiles("", new TreeMap<>(), Map.of())
                : from.equals(base.baseCommit()) ? base : DesiredFiles.of(branch.readAt(from));
        // The changed files are validated on both sides while the plan is made (it keeps one core busy, not two).
        CompletableFuture<ChangedFiles> changed = new CompletableFuture<>();
        Thread differ = new Thread(() -> {
            try {
                changed.complete(ChangedFiles.of(files, previousFiles, now));
            } catch (Throwable e) {
                changed.completeExceptionally(e);
            }
        }, "nvmesh-changed-files");
        differ.setDaemon(true);
        differ.start();
        Map<String, DesiredManifests> cache = new HashMap<>();
        Reconciliation.Result result = Reconciliation.run(Reconciliation.Input.of(recorded, desired,
                files.baseCommit()).previousPolicies(name -> {
                    DesiredManifests all = cache.computeIfAbsent("all", k -> DesiredManifests.load(previousFiles));
                    Manifest m = all.objects.get("VolumePolicy " + name);
                    return m instanceof VolumePolicy p ? p : null;
                }).preview());
        List<ManifestChange> changes = changes(join(changed), result.blocked(), recorded);
        return new DiffReport(shownRef, files.baseCommit(), localFiles, recorded.commitId(), from,
                recorded.reconciled().outcome(), changes, result.plan().actions(), placements(recorded,
                result.plan().actions()), result.plan().before(), result.plan().after(), result.blocked(), puts,
                deletes, kept, largestPlaceable(recorded, desired, result.plan()));
    }

    /**
     * The manifests of the files whose bytes differ, on both sides; null sides when none differ. Only these are
     * parsed: an object can only change, appear or vanish in a file that changed.
     */
    private record ChangedFiles(DesiredManifests before, DesiredManifests after) {
        static ChangedFiles of(DesiredFiles files, DesiredFiles previous, DesiredManifests now) {
            SortedSet<String> changed = files.changedFrom(previous);
            if (changed.isEmpty()) {
                return new ChangedFiles(null, null);
            }
            DesiredManifests before = DesiredManifests.load(previous.only(changed));
            DesiredManifests after = changed.containsAll(files.files().keySet()) ? now
                    : DesiredManifests.load(files.only(changed));
            return new ChangedFiles(before, after);
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Object-level changes between the two sides of the changed files. */
    private static List<ManifestChange> changes(ChangedFiles files, List<String> blocked, RecordedState recorded) {
        if (files.before() == null) {
            return List.of();
        }
        DesiredManifests before = files.before();
        DesiredManifests after = files.after();
        Set<String> blockedKeys = new TreeSet<>();
        blocked.forEach(b -> blockedKeys.add("Volume " + b));
        TreeSet<String> keys = new TreeSet<>(before.objects.keySet());
        keys.addAll(after.objects.keySet());
        List<ManifestChange> out = new ArrayList<>();
        for (String k : keys) {
            Manifest a = before.objects.get(k);
            Manifest b = after.objects.get(k);
            if (a == null) {
                // A capacity rounded down to whole MiB shows both figures, as a changed one does.
                List<ManifestChange.FieldChange> rounded = b instanceof Volume v && v.capacity().rounded()
                        ? List.of(new ManifestChange.FieldChange("spec.capacity", null, v.capacity().toString()))
                        : List.of();
                out.add(new ManifestChange(ManifestChange.Change.ADDED, k, after.fileOf.get(k), rounded, false));
            } else if (b == null) {
                boolean isBlocked = blockedKeys.contains(k)
                        || a instanceof Volume v && DeletionProtection.guards(v, recorded);
                out.add(new ManifestChange(ManifestChange.Change.REMOVED, k, before.fileOf.get(k), List.of(),
                        isBlocked));
            } else {
                var fields = ManifestFields.compare(a, b);
                if (!fields.isEmpty()) {
                    out.add(new ManifestChange(ManifestChange.Change.MODIFIED, k, after.fileOf.get(k), fields, false));
                }
            }
        }
        return out;
    }

    /**
     * For each create or extend that does not fit, the largest volume its policy can place beside the placed rest of
     * the plan: what {@code get capacity --policy} answers once the plan is recorded. One search per policy.
     */
    private static SortedMap<String, DiffReport.Largest> largestPlaceable(RecordedState recorded,
            DesiredState desired, Plan plan) {
        SortedMap<String, DiffReport.Largest> out = new TreeMap<>();
        Map<String, Volume> volumes = new HashMap<>();
        desired.volumes().forEach(v -> volumes.put(v.name(), v));
        Map<String, Long> byPolicy = new HashMap<>();
        Allocations after = null;
        for (Action a : plan.unplaceable()) {
            Volume v = volumes.get(a.volume());
            // An extend that changes policy or layout fails for that, not for room.
            boolean grows = a.kind() == ActionKind.CREATE || a.kind() == ActionKind.EXTEND && v != null
                    && a.sizeAfter() > a.sizeBefore() && recorded.allocations().volume(v.name())
                            .map(x -> x.policy().equals(v.policy()) && desired.policy(v.policy())
                                    .map(p -> p.layout() == x.layout()).orElse(false)).orElse(false);
            if (v == null || !grows || v.capacity().max() || desired.policy(v.policy()).isEmpty()) {
                continue;
            }
            if (after == null) {
                after = recorded.allocations().apply(plan);
            }
            Allocations state = after;
            long largest = byPolicy.computeIfAbsent(v.policy(), p -> Planner.largestVolume(recorded.inventory(),
                    state, desired, p));
            if (a.sizeAfter() - a.sizeBefore() > largest) {
                out.put(a.volume(), new DiffReport.Largest(v.policy(), largest));
            }
        }
        return out;
    }

    private static List<DiffReport.SegmentPlacement> placements(RecordedState recorded, List<Action> actions) {
        Map<String, String> targetOf = new HashMap<>();
        for (Target t : recorded.inventory().targets()) {
            for (Drive d : t.drives()) {
                targetOf.put(d.serial(), t.id());
            }
        }
        List<DiffReport.SegmentPlacement> out = new ArrayList<>();
        for (Action a : actions) {
            if (a.outcome() != Outcome.PLACED) {
                continue;
            }
            List<Chunk> chunks = a.kind() == ActionKind.CREATE ? a.allocation().chunks()
                    : a.kind() == ActionKind.EXTEND ? a.chunks() : List.of();
            for (Chunk c : chunks) {
                for (Group g : c.groups()) {
                    for (Segment s : g.segments()) {
                        String serial = s.extent().serial();
                        out.add(new DiffReport.SegmentPlacement(a.volume(), a.kind(), c.index(), g.index(), s.index(),
                                s.role(), targetOf.getOrDefault(serial, "?"), serial, s.extent().offset(),
                                s.extent().length(), null, null));
                    }
                }
            }
            if (a.kind() == ActionKind.MOVE) {
                SegmentMove m = a.move();
                out.add(new DiffReport.SegmentPlacement(a.volume(), a.kind(), m.chunk(), m.group(), m.segment(),
                        m.role(), targetOf.getOrDefault(m.to().serial(), "?"), m.to().serial(), m.to().offset(),
                        m.to().length(), targetOf.getOrDefault(m.from().serial(), "?"), m.from().serial()));
            }
        }
        return out;
    }
}
