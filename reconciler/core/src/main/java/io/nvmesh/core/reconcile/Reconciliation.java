package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.LiveCopies;
import io.nvmesh.core.allocation.Plan;
import io.nvmesh.core.allocation.Planner;
import io.nvmesh.core.allocation.StateChecker;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.allocation.Violation;
import io.nvmesh.core.record.HeldExtent;
import io.nvmesh.core.record.Reconciled;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.Release;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The pure body of one reconcile pass, shared by {@code diff} (preview) and the reconciler (record): recorded state
 * and desired manifests in, the plan and the recorded state after it out. No I/O; equal inputs, equal output.
 *
 * <p>Three rules sit around the planner. A recorded volume with {@code deletionProtection} that vanished from desired
 * is kept (it stays in the planner's desired view) and marked {@link VolumeStatus#BLOCKED}. Volumes the caller does
 * not own are shown to the planner under a policy name no manifest can have, so it neither deletes, extends nor moves
 * them (a move would free the old extent, and a dropped move must not free space for an owned create); their records
 * are left as they are. Only actions on owned volumes are kept.
 *
 * <p>Statuses follow what agent-managed targets acked serving ({@link ServedIndex}): a placed volume with a segment
 * not served yet is {@link VolumeStatus#INITIALIZING} (never fully served), {@link VolumeStatus#EXTENDING} (served in
 * full, and only segments it grew by are missing) or {@link VolumeStatus#REBUILDING} (a segment it had moved or was
 * rebuilt). A volume removed from desired whose segments
 * some managed target still serves is {@link VolumeStatus#DELETING}: shown to the planner like a foreign volume, so
 * its extents stay taken, until a later pass finds every holder released it and lets the planner delete it. A preview
 * ({@code statuses == false}) skips both and shows the removal as the delete it ends in.
 */
final class Reconciliation {

    /** Cannot be a manifest name (manifest names are lower case), so no policy resolves for foreign volumes. */
    static final String FOREIGN_POLICY = "~not-owned";

    /** The outcome: the plan (owned actions only), the state to record, and the volumes whose deletion is blocked. */
    record Result(Plan plan, RecordedState after, List<String> blocked) {
        Result {
            blocked = List.copyOf(blocked);
        }
    }

    private Reconciliation() {
    }

    /**
     * @param previousPolicies policies of the desired commit the state was last reconciled from, asked for only when
     *        a blocked volume's policy is no longer desired (so its segments can still be repaired)
     */
    static Result run(RecordedState recorded, DesiredState desired, String desiredCommit,
            Function<String, VolumePolicy> previousPolicies, Predicate<String> owns) {
        return run(recorded, desired, desiredCommit, previousPolicies, owns, true, "");
    }

    /** @param maxHold why unplaced {@code capacity: max} volumes must wait this pass; empty: they need not */
    static Result run(RecordedState recorded, DesiredState desired, String desiredCommit,
            Function<String, VolumePolicy> previousPolicies, Predicate<String> owns, String maxHold) {
        return run(recorded, desired, desiredCommit, previousPolicies, owns, true, maxHold);
    }

    /**
     * @param statuses whether to work out each volume's status (a full state check); a preview that only shows the
     *        plan skips it, and its {@code after} state then carries the statuses recorded before
     */
    static Result run(RecordedState recorded, DesiredState desired, String desiredCommit,
            Function<String, VolumePolicy> previousPolicies, Predicate<String> owns, boolean statuses) {
        return run(recorded, desired, desiredCommit, previousPolicies, owns, statuses, "");
    }

    private static Result run(RecordedState recorded, DesiredState desired, String desiredCommit,
            Function<String, VolumePolicy> previousPolicies, Predicate<String> ownsNow, boolean statuses,
            String maxHold) {
        // One answer per volume for the whole pass. A service's ownership is live: a member that dies or comes back
        // moves volumes while a pass runs, and a volume owned at one step and foreign at the next lost its record.
        Map<String, Boolean> asked = new HashMap<>();
        Predicate<String> owns = name -> asked.computeIfAbsent(name, ownsNow::test);
        Map<String, Volume> wanted = new TreeMap<>();
        desired.volumes().forEach(v -> wanted.put(v.name(), v));
        List<Volume> view = new ArrayList<>();
        List<VolumePolicy> policies = new ArrayList<>(desired.policies());
        Set<String> policyNames = new HashSet<>();
        policies.forEach(p -> policyNames.add(p.name()));
        List<VolumeAllocation> shown = new ArrayList<>();
        List<String> blocked = new ArrayList<>();
        ServedIndex served = statuses ? ServedIndex.of(recorded.inventory(), recorded.served()) : null;
        // Space a volume no longer uses stays held until nothing can serve it (Release); what is released now is
        // dropped from the records below, and what is still held is shown to the planner as taken.
        long since = recorded.generation() + 1;
        Release release = statuses ? Release.in(recorded) : null;
        Map<String, List<HeldExtent>> stillHeld = new TreeMap<>();
        List<Extent> held = new ArrayList<>();
        Map<String, List<HeldExtent>> deleting = new TreeMap<>();
        Map<String, String> waits = new TreeMap<>();

        for (VolumeRecord r : recorded.volumes().values()) {
            boolean owned = owns.test(r.name());
            List<HeldExtent> keep = owned && statuses
                    ? r.releasing().stream().filter(h -> !release.released(h)).toList() : r.releasing();
            Set<Extent> own = r.allocation().map(a -> Set.copyOf(a.extents())).orElse(Set.of());
            keep.stream().filter(h -> !own.contains(h.extent())).forEach(h -> held.add(h.extent()));
            if (owned) {
                stillHeld.put(r.name(), keep);
            }
            if (r.allocation().isEmpty()) {
                continue;
            }
            VolumeAllocation a = r.allocation().get();
            if (owned && statuses && !wanted.containsKey(r.name()) && !r.deletionProtection()) {
                if (settingUp(r.status())) {
                    // Its targets are still setting it up: deleting now would race them. Keep it as it is.
                    waits.put(r.name(), "deletion waits until the volume is fully served (it is "
                            + r.status().wireName() + ")");
                    shown.add(a);
                    view.add(new Volume(Metadata.named(r.name()), a.policy(), Capacity.MAX, List.of(), 0, false));
                    addPolicy(a.policy(), policies, policyNames, previousPolicies);
                    continue;
                }
                // Deleting already: every hold it was given, until all are released. Newly removed (or deleting as
                // recorded before holds were kept, with none listed): every segment, from the generation this pass
                // records. Segments are held even where nothing serves them now (a target without an agent, a drive
                // gone): should the target get an agent or the drive come back, the commit that drops the volume
                // judges each segment by its hold, whereas a segment given up unheld is judged as commanded until that
                // very commit, which no ack can ever prove, and the volume could never be dropped. (A deleting record
                // that lost some segments' holds holds them again, from this pass on.)
                boolean continuing = r.status() == VolumeStatus.DELETING && !r.releasing().isEmpty();
                List<HeldExtent> hold = new ArrayList<>(continuing ? r.releasing() : keep);
                for (Extent e : a.extents()) {
                    if (hold.stream().noneMatch(h -> h.extent().equals(e))) {
                        hold.add(HeldExtent.of(e, since));
                    }
                }
                if (hold.stream().anyMatch(h -> !release.released(h))) {
                    deleting.put(r.name(), hold);
                }
            }
            if (!owned || deleting.containsKey(r.name())) {
                shown.add(new VolumeAllocation(a.volume(), FOREIGN_POLICY, a.layout(), a.protection(),
                        a.domainScope(), a.size(), a.chunks()));
                view.add(new Volume(Metadata.named(r.name()), FOREIGN_POLICY, Capacity.MAX, List.of(), 0, false));
                continue;
            }
            shown.add(a);
            if (!wanted.containsKey(r.name()) && r.deletionProtection()) {
                blocked.add(r.name());
                view.add(new Volume(Metadata.named(r.name()), a.policy(), Capacity.MAX, List.of(), 0, true));
                addPolicy(a.policy(), policies, policyNames, previousPolicies);
            }
        }
        List<String> unrecordedForeign = wanted.values().stream()
                .filter(v -> !owns.test(v.name()) && !v.capacity().max() && !recorded.volumes().containsKey(v.name()))
                .map(Volume::name).toList();
        Map<String, String> deferred = new TreeMap<>();
        for (Volume v : wanted.values()) {
            if (!owns.test(v.name())) {
                continue;
            }
            boolean placed = recorded.volumes().containsKey(v.name())
                    && recorded.volumes().get(v.name()).allocation().isPresent();
            if (v.capacity().max() && !placed && !maxHold.isEmpty()) {
                deferred.put(v.name(), maxHold);
                continue;
            }
            if (v.capacity().max() && !placed && !unrecordedForeign.isEmpty()) {
                deferred.put(v.name(), waitingForFixed(unrecordedForeign));
                continue;
            }
            VolumeRecord was = recorded.volumes().get(v.name());
            if (statuses && placed && settingUp(was.status()) && !v.capacity().max()
                    && v.capacity().size().bytes() > was.allocation().get().size()) {
                waits.put(v.name(), "extend to " + v.capacity().size().human() + " waits until the volume is fully "
                        + "served (it is " + was.status().wireName() + ")");
                view.add(new Volume(v.metadata(), v.policy(), Capacity.MAX, v.clients(), v.rebuildPriority(),
                        v.deletionProtection()));
                continue;
            }
            view.add(v);
        }
        DesiredState planned = new DesiredState(policies, desired.driveClasses(), desired.targetClasses(), view,
                desired.driveIntents());
        Plan full = Planner.plan(recorded.inventory(), new Allocations(shown, held), planned);
        List<Action> mine = full.actions().stream().filter(a -> owns.test(a.volume())).toList();
        Plan plan = new Plan(mine, full.before(), full.after());
        if (!statuses) {
            return new Result(plan, recorded, blocked);
        }

        Allocations after = recorded.allocations().apply(plan);
        Map<String, List<HeldExtent>> moved = new TreeMap<>();
        for (Action a : plan.actions()) {
            if (a.outcome() == Outcome.PLACED && a.kind() == ActionKind.MOVE && a.move().to() != null) {
                HeldExtent h = HeldExtent.of(a.move().from(), since);
                if (!release.released(h)) {
                    moved.computeIfAbsent(a.volume(), k -> new ArrayList<>()).add(h);
                }
            }
        }
        Map<String, List<String>> reasons = new LinkedHashMap<>();
        waits.forEach((name, why) -> reasons.computeIfAbsent(name, k -> new ArrayList<>()).add(why));
        for (Action a : plan.unplaceable()) {
            reasons.computeIfAbsent(a.volume(), k -> new ArrayList<>()).add(a.reason());
        }
        Map<String, List<String>> degraded = new HashMap<>();
        for (Violation v : StateChecker.check(recorded.inventory(), after)) {
            if (v.kind() == Violation.Kind.DEGRADED && v.volume() != null) {
                degraded.computeIfAbsent(v.volume(), k -> new ArrayList<>()).add(v.message());
            }
        }
        Map<String, VolumePolicy> policyByName = new TreeMap<>();
        policies.forEach(p -> policyByName.put(p.name(), p));
        LiveCopies copies = LiveCopies.of(recorded.inventory());

        SortedMap<String, VolumeRecord> records = new TreeMap<>();
        for (VolumeRecord r : recorded.volumes().values()) {
            if (!owns.test(r.name())) {
                records.put(r.name(), r);
            }
        }
        Set<String> blockedSet = new HashSet<>(blocked);
        for (Volume v : view) {
            String name = v.name();
            if (!owns.test(name)) {
                continue;
            }
            VolumeAllocation a = after.volume(name).orElse(null);
            String reason = String.join("; ", reasons.getOrDefault(name, List.of()));
            VolumeRecord before = recorded.volumes().get(name);
            if (deleting.containsKey(name)) {
                List<HeldExtent> hold = deleting.get(name);
                records.put(name, new VolumeRecord(name, VolumeStatus.DELETING, "deleting: waiting for "
                        + holders(hold, release) + "; its space stays allocated until then", false,
                        before.policyFingerprint(), before.allocation(), hold));
                continue;
            }
            List<Integer> unserved = a == null ? List.of() : served.unserved(a);
            List<LiveCopies.LostGroup> lost = a == null ? List.of() : copies.lost(a);
            VolumeStatus status;
            if (a == null) {
                status = VolumeStatus.PENDING;
            } else if (blockedSet.contains(name)) {
                status = VolumeStatus.BLOCKED;
                reason = "deletion blocked: volume " + name + " was removed from desired but has deletionProtection: "
                        + "true; restore it and set deletionProtection: false before deleting it"
                        + (reason.isEmpty() ? "" : "; " + reason);
            } else if (!lost.isEmpty()) {
                status = VolumeStatus.FAILED;
                reason = groupReason(LiveCopies.reason(name, lost), plan, name, lost.stream().flatMap(l -> l.failed()
                        .stream().map(f -> l.chunk() + "/" + l.group() + "/" + f)).collect(Collectors.toSet()));
            } else if (!unserved.isEmpty()) {
                status = waitingStatus(before, unserved);
                // The status says initializing, extending or rebuilding; the reason says only what is missing.
                String waiting = unserved.size() + (status == VolumeStatus.EXTENDING ? " new" : "")
                        + " segment(s) not served yet by their targets";
                reason = reason.isEmpty() ? waiting : waiting + "; " + reason;
            } else if (degraded.containsKey(name)) {
                status = VolumeStatus.DEGRADED;
                List<LiveCopies.UnavailableGroup> waiting = copies.unavailable(a);
                if (!waiting.isEmpty()) {
                    reason = groupReason(LiveCopies.reason(waiting), plan, name, waiting.stream().flatMap(u -> u
                            .failed().stream().map(f -> u.chunk() + "/" + u.group() + "/" + f)).collect(
                            Collectors.toSet()));
                } else {
                    String why = degradedReason(name, degraded.get(name));
                    reason = reason.isEmpty() ? why : why + "; " + reason;
                }
            } else {
                status = VolumeStatus.ONLINE;
            }
            String policy = a != null ? a.policy() : v.policy();
            VolumePolicy p = policyByName.get(policy);
            boolean protectedVolume = blockedSet.contains(name) || v.deletionProtection();
            records.put(name, new VolumeRecord(name, status, reason, protectedVolume,
                    fingerprintOf(p), java.util.Optional.ofNullable(a), releasing(name, a, stillHeld, moved)));
        }
        deferred.forEach((name, reason) -> records.put(name, new VolumeRecord(name, VolumeStatus.PENDING, reason,
                wanted.get(name).deletionProtection(), fingerprintOf(policyByName.get(wanted.get(name).policy())),
                java.util.Optional.empty())));
        Reconciled marker = new Reconciled(desiredCommit, desiredCommit, "ok at " + DesiredManifests.shortId(
                desiredCommit));
        return new Result(plan, recorded.withVolumes(records).withReconciled(marker), blocked);
    }

    /** Adds a policy no longer desired (from the commit last reconciled) so a kept volume can still be repaired. */
    private static void addPolicy(String name, List<VolumePolicy> policies, Set<String> names,
            Function<String, VolumePolicy> previousPolicies) {
        if (!names.contains(name)) {
            VolumePolicy p = previousPolicies.apply(name);
            if (p != null) {
                policies.add(p);
                names.add(p.name());
            }
        }
    }

    /**
     * What a kept volume still holds: earlier holds not released yet (less its own extents), and this pass's moves;
     * one hold per extent, the later one where both name it (a deleting volume desired again whose segment moves off
     * a place it was already releasing): two holds of one extent would read as an overlap to every planner after.
     */
    private static List<HeldExtent> releasing(String name, VolumeAllocation a, Map<String, List<HeldExtent>> stillHeld,
            Map<String, List<HeldExtent>> moved) {
        Set<Extent> own = a == null ? Set.of() : Set.copyOf(a.extents());
        Map<Extent, HeldExtent> out = new LinkedHashMap<>();
        stillHeld.getOrDefault(name, List.of()).stream().filter(h -> !own.contains(h.extent()))
                .forEach(h -> out.merge(h.extent(), h, Reconciliation::later));
        moved.getOrDefault(name, List.of()).forEach(h -> out.merge(h.extent(), h, Reconciliation::later));
        return new ArrayList<>(out.values());
    }

    private static HeldExtent later(HeldExtent x, HeldExtent y) {
        return y.since() > x.since() ? y : x;
    }

    /** The targets a deleting volume waits for, for its reason. */
    private static String holders(List<HeldExtent> hold, Release release) {
        Set<String> why = new java.util.TreeSet<>();
        hold.forEach(h -> release.holder(h).ifPresent(why::add));
        return why.isEmpty() ? "its targets to release it" : String.join(", ", why);
    }

    /**
     * Why a {@code capacity: max} volume is not placed yet: it takes whatever space is left, so it waits until every
     * fixed-size volume of the desired commit owned by another reconciler has been tried (placed or pending with a
     * reason). Within one pass the planner already places {@code max} volumes last; this carries that order across
     * owners, whose passes are not ordered.
     */
    static String waitingForFixed(List<String> names) {
        int shown = Math.min(names.size(), 3);
        String list = String.join(", ", names.subList(0, shown)) + (names.size() > shown
                ? " and " + (names.size() - shown) + " more" : "");
        return VolumeRecord.WAITING + names.size() + " fixed-size volume" + (names.size() == 1 ? "" : "s")
                + " of other reconcilers to be placed first (" + list + "): capacity: max takes the space they leave";
    }

    /**
     * The reason of a volume whose groups {@link LiveCopies} explains ({@code said}), then the plan's other reasons for
     * it; its unplaceable moves off the failed drives of those groups ({@code chunk/group/serial} in {@code explained})
     * only say again that they cannot be rebuilt, so they are left out.
     */
    private static String groupReason(String said, Plan plan, String volume, Set<String> explained) {
        StringBuilder sb = new StringBuilder(said);
        for (Action x : plan.unplaceable()) {
            if (x.volume().equals(volume) && !(x.kind() == ActionKind.MOVE && explained.contains(x.move().chunk()
                    + "/" + x.move().group() + "/" + x.move().from().serial()))) {
                sb.append("; ").append(x.reason());
            }
        }
        return sb.toString();
    }

    /** {@code degraded: chunk 0 group 0: segment 1 is on drive S3 of target t2, which is unhealthy (and 2 more)}. */
    private static String degradedReason(String volume, List<String> findings) {
        String first = findings.get(0);
        String prefix = "volume " + volume + " ";
        String shown = first.startsWith(prefix) ? first.substring(prefix.length()) : first;
        return "degraded: " + shown + (findings.size() == 1 ? "" : " (and " + (findings.size() - 1)
                + " more degraded segment" + (findings.size() == 2 ? "" : "s") + ")");
    }

    private static String fingerprintOf(VolumePolicy p) {
        return p == null ? "" : fingerprint(p);
    }

    /** Whether targets are still setting the volume up, so that deleting or extending it waits. */
    private static boolean settingUp(VolumeStatus s) {
        return s == VolumeStatus.INITIALIZING || s == VolumeStatus.EXTENDING || s == VolumeStatus.REBUILDING;
    }

    /**
     * The status of a placed volume with segments not served yet: {@code initializing} while it waits for its first full
     * service (it is new, or was pending or initializing); {@code extending} when it was served in full and every
     * segment not served yet is one it did not have before (it grew), and it stays so until they are served;
     * otherwise {@code rebuilding} (a segment it had moved or was rebuilt).
     */
    private static VolumeStatus waitingStatus(VolumeRecord before, List<Integer> unserved) {
        if (before == null || before.status() == VolumeStatus.PENDING || before.status() == VolumeStatus.INITIALIZING) {
            return VolumeStatus.INITIALIZING;
        }
        if (before.status() == VolumeStatus.EXTENDING) {
            return VolumeStatus.EXTENDING;
        }
        int had = before.allocation().map(a -> ServedExtent.of(a).size()).orElse(0);
        return unserved.stream().allMatch(k -> k >= had) ? VolumeStatus.EXTENDING : VolumeStatus.REBUILDING;
    }

    /** The recorded state of {@code snapshot}; refuses damaged state, since no writer may build on what it cannot read. */
    static RecordedState decode(io.nvmesh.core.state.Snapshot snapshot) {
        io.nvmesh.core.record.StateFiles.Decoded d = io.nvmesh.core.record.StateFiles.decode(snapshot);
        if (!d.problems().isEmpty()) {
            throw new GitOpsRefusal("recorded state at " + DesiredManifests.shortId(snapshot.commitId())
                    + " is damaged; nothing was changed (nvmesh fsck lists every problem)", d.problems());
        }
        return d.state();
    }

    /** The first 16 hex digits of SHA-256 over the policy as loaded: equal policies, equal fingerprints. */
    static String fingerprint(VolumePolicy p) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(p.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
