package io.nvmesh.core.reconcile;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.LiveCopies;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.allocation.Plan;
import io.nvmesh.core.allocation.StateChecker;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.allocation.Violation;
import io.nvmesh.core.record.HeldExtent;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.Release;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The last step of a pass ({@link Reconciliation}): the record of every owned volume after the plan, with its status
 * and the reason for it. Other owners' records are kept as they are.
 *
 * <p>Statuses follow what agent-managed targets acked serving ({@link ServedIndex}): a placed volume with a segment
 * not served yet is {@link VolumeStatus#INITIALIZING} (never fully served), {@link VolumeStatus#EXTENDING} (served in
 * full, and only segments it grew by are missing) or {@link VolumeStatus#REBUILDING} (a segment it had moved or was
 * rebuilt). A deleting volume stays {@link VolumeStatus#DELETING}, its space allocated, until every holder released it.
 */
final class VolumeStatuses {

    private final RecordedState recorded;
    private final RecordedVolumes volumes;
    private final Plan plan;
    private final Allocations after;
    private final Release release;
    private final ServedIndex served;
    private final LiveCopies copies;
    private final Map<String, VolumePolicy> policies = new TreeMap<>();
    /** Fingerprints by policy name: a policy's is a SHA-256 of its text, the same for each of its many volumes. */
    private final Map<String, String> fingerprints = new HashMap<>();
    private final Map<String, List<String>> reasons = new LinkedHashMap<>();
    private final Map<String, List<String>> degraded = new HashMap<>();
    private final Map<String, List<HeldExtent>> moved = new TreeMap<>();

    private VolumeStatuses(RecordedState recorded, RecordedVolumes volumes, Map<String, String> waits, Plan plan,
            List<VolumePolicy> policies) {
        this.recorded = recorded;
        this.volumes = volumes;
        this.plan = plan;
        this.after = recorded.allocations().apply(plan);
        this.release = volumes.release();
        this.served = ServedIndex.of(recorded.inventory(), recorded.served());
        this.copies = LiveCopies.of(recorded.inventory());
        policies.forEach(p -> this.policies.put(p.name(), p));
        waits.forEach((name, why) -> reasons.computeIfAbsent(name, k -> new ArrayList<>()).add(why));
        for (Action a : plan.unplaceable()) {
            reasons.computeIfAbsent(a.volume(), k -> new ArrayList<>()).add(a.reason());
        }
        for (Violation v : StateChecker.check(recorded.inventory(), suspects(recorded.inventory(), after))) {
            if (v.kind() == Violation.Kind.DEGRADED && v.volume() != null) {
                degraded.computeIfAbsent(v.volume(), k -> new ArrayList<>()).add(v.message());
            }
        }
        for (Action a : plan.actions()) {
            if (a.outcome() == Outcome.PLACED && a.kind() == ActionKind.MOVE && a.move().to() != null) {
                HeldExtent h = HeldExtent.of(a.move().from(), volumes.since());
                if (!release.released(h)) {
                    moved.computeIfAbsent(a.volume(), k -> new ArrayList<>()).add(h);
                }
            }
        }
    }

    /**
     * The volumes that can be degraded: those with a segment on a drive that is missing, not online, or on an unhealthy
     * target. A degraded finding of {@link StateChecker} is about one volume's own segments and the inventory only, so
     * checking these alone finds exactly the degraded findings a check of the whole state finds (for 100,000 healthy
     * volumes: none to check instead of all of them on every pass).
     */
    static Allocations suspects(Inventory inventory, Allocations after) {
        // serial -> served; built as the checker looks drives up (the last target naming a serial wins)
        Map<String, Boolean> served = new HashMap<>();
        for (Target t : inventory.targets()) {
            for (Drive d : t.drives()) {
                served.put(d.serial(), d.health().online() && t.health() != TargetHealth.UNHEALTHY);
            }
        }
        List<VolumeAllocation> suspect = new ArrayList<>();
        for (VolumeAllocation v : after.volumes()) {
            for (Extent e : v.extents()) {
                if (!served.getOrDefault(e.serial(), false)) {
                    suspect.add(v);
                    break;
                }
            }
        }
        return new Allocations(suspect);
    }

    /**
     * The volume records after {@code plan}: other owners' as recorded, deleting ones as they are (the planner was not
     * shown them), then every volume the planner was shown ({@code planned}, all owned) and every one deferred.
     *
     * @param waits why a volume's deletion or extend waits this pass
     * @param policies every policy the planner was given, for the fingerprints
     */
    static SortedMap<String, VolumeRecord> after(RecordedState recorded, Predicate<String> owns,
            RecordedVolumes volumes, WantedVolumes wanted, Map<String, Volume> desired, Map<String, String> waits,
            Plan plan, List<Volume> planned, List<VolumePolicy> policies) {
        VolumeStatuses s = new VolumeStatuses(recorded, volumes, waits, plan, policies);
        SortedMap<String, VolumeRecord> records = new TreeMap<>();
        for (VolumeRecord r : recorded.volumes().values()) {
            if (!owns.test(r.name())) {
                records.put(r.name(), r);
            }
        }
        volumes.deleting().forEach((name, hold) -> records.put(name, s.deleting(name, hold)));
        for (Volume v : planned) {
            records.put(v.name(), s.record(v));
        }
        wanted.deferred().forEach((name, reason) -> records.put(name, new VolumeRecord(name, VolumeStatus.PENDING,
                reason, desired.get(name).deletionProtection(), s.fingerprint(desired.get(name).policy()),
                Optional.empty())));
        return records;
    }

    /** A deleting volume keeps its allocation and policy fingerprint as recorded, and holds {@code hold}. */
    private VolumeRecord deleting(String name, List<HeldExtent> hold) {
        VolumeRecord before = recorded.volumes().get(name);
        return new VolumeRecord(name, VolumeStatus.DELETING, "deleting: waiting for " + holders(hold)
                + "; its space stays allocated until then", false, before.policyFingerprint(), before.allocation(),
                hold);
    }

    private VolumeRecord record(Volume v) {
        String name = v.name();
        VolumeRecord before = recorded.volumes().get(name);
        VolumeAllocation a = after.volume(name).orElse(null);
        boolean blocked = volumes.blocked().contains(name);
        Judged j = judge(name, a, before, blocked, String.join("; ", reasons.getOrDefault(name, List.of())));
        String policy = a != null ? a.policy() : v.policy();
        return new VolumeRecord(name, j.status(), j.reason(), blocked || v.deletionProtection(), fingerprint(policy),
                Optional.ofNullable(a), releasing(name, a));
    }

    private record Judged(VolumeStatus status, String reason) {
    }

    /** The status of an owned volume after the plan ({@code a}: its allocation, null if unplaced), and why. */
    private Judged judge(String name, VolumeAllocation a, VolumeRecord before, boolean blocked, String reason) {
        if (a == null) {
            return new Judged(VolumeStatus.PENDING, reason);
        }
        if (blocked) {
            return new Judged(VolumeStatus.BLOCKED, "deletion blocked: volume " + name + " was removed from desired "
                    + "but has deletionProtection: true; restore it and set deletionProtection: false before deleting "
                    + "it" + (reason.isEmpty() ? "" : "; " + reason));
        }
        List<LiveCopies.LostGroup> lost = copies.lost(a);
        if (!lost.isEmpty()) {
            return new Judged(VolumeStatus.FAILED, groupReason(LiveCopies.reason(name, lost), name, lost.stream()
                    .flatMap(l -> l.failed().stream().map(f -> l.chunk() + "/" + l.group() + "/" + f))
                    .collect(Collectors.toSet())));
        }
        List<Integer> unserved = served.unserved(a);
        if (!unserved.isEmpty()) {
            VolumeStatus status = waitingStatus(before, unserved);
            // The status says initializing, extending or rebuilding; the reason says only what is missing.
            String waiting = unserved.size() + (status == VolumeStatus.EXTENDING ? " new" : "")
                    + " segment(s) not served yet by their targets";
            return new Judged(status, reason.isEmpty() ? waiting : waiting + "; " + reason);
        }
        if (degraded.containsKey(name)) {
            List<LiveCopies.UnavailableGroup> waiting = copies.unavailable(a);
            if (!waiting.isEmpty()) {
                return new Judged(VolumeStatus.DEGRADED, groupReason(LiveCopies.reason(waiting), name, waiting.stream()
                        .flatMap(u -> u.failed().stream().map(f -> u.chunk() + "/" + u.group() + "/" + f))
                        .collect(Collectors.toSet())));
            }
            String why = degradedReason(name, degraded.get(name));
            return new Judged(VolumeStatus.DEGRADED, reason.isEmpty() ? why : why + "; " + reason);
        }
        return new Judged(VolumeStatus.ONLINE, reason);
    }

    private String fingerprint(String policy) {
        return fingerprints.computeIfAbsent(policy, name -> {
            VolumePolicy p = policies.get(name);
            return p == null ? "" : Reconciliation.fingerprint(p);
        });
    }

    /**
     * What a kept volume still holds: earlier holds not released yet (less its own extents), and this pass's moves;
     * one hold per extent, the later one where both name it (a deleting volume desired again whose segment moves off
     * a place it was already releasing): two holds of one extent would read as an overlap to every planner after.
     */
    private List<HeldExtent> releasing(String name, VolumeAllocation a) {
        Set<Extent> own = a == null ? Set.of() : Set.copyOf(a.extents());
        Map<Extent, HeldExtent> out = new LinkedHashMap<>();
        volumes.stillHeld().getOrDefault(name, List.of()).stream().filter(h -> !own.contains(h.extent()))
                .forEach(h -> out.merge(h.extent(), h, VolumeStatuses::later));
        moved.getOrDefault(name, List.of()).forEach(h -> out.merge(h.extent(), h, VolumeStatuses::later));
        return new ArrayList<>(out.values());
    }

    private static HeldExtent later(HeldExtent x, HeldExtent y) {
        return y.since() > x.since() ? y : x;
    }

    /** The targets a deleting volume waits for, for its reason. */
    private String holders(List<HeldExtent> hold) {
        Set<String> why = new TreeSet<>();
        hold.forEach(h -> release.holder(h).ifPresent(why::add));
        return why.isEmpty() ? "its targets to release it" : String.join(", ", why);
    }

    /**
     * The reason of a volume whose groups {@link LiveCopies} explains ({@code said}), then the plan's other reasons for
     * it; its unplaceable moves off the failed drives of those groups ({@code chunk/group/serial} in {@code explained})
     * only say again that they cannot be rebuilt, so they are left out.
     */
    private String groupReason(String said, String volume, Set<String> explained) {
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
}
