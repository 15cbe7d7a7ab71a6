package io.nvmesh.service.counters;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.CapacityLedger;
import io.nvmesh.core.allocation.CapacityReport;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.allocation.Plan;
import io.nvmesh.core.allocation.Segment;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.Usage;
import io.nvmesh.core.allocation.VolumeAllocation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Pure functions from the core's types to counters: the whole contribution of a partition, and the deltas an event
 * causes. Byte counters come from {@link CapacityLedger} run over the one target concerned, so failure domains,
 * drive classes and the free / withheld / offline rules are the ledger's, not a copy of them.
 *
 * <p>Partitions are ownership keys: {@code target/<id>} contributes its drives' bytes, one server and its drives by
 * health; {@code volume/<name>} one volume of its status; {@code client/<id>} one client server of its state.
 */
public final class CounterDeltas {

    private CounterDeltas() {
    }

    public static String targetPartition(String id) {
        return "target/" + id;
    }

    public static String volumePartition(String name) {
        return "volume/" + name;
    }

    public static String clientPartition(String id) {
        return "client/" + id;
    }

    /**
     * The whole contribution of a target.
     *
     * @param recorded the recorded allocations; only extents on this target's drives count, so a caller may pass just
     *                 the volumes that touch it
     */
    public static Map<String, Long> ofTarget(Target target, Allocations recorded, DesiredState desired) {
        CapacityLedger ledger = CapacityLedger.recompute(Inventory.of(List.of(target)), recorded, desired);
        Map<String, Long> out = CounterKeys.copyWithoutZeros(bytes(ledger.report()));
        out.put(CounterKeys.servers("target", target.health().name().toLowerCase(Locale.ROOT)), 1L);
        for (Drive d : target.drives()) {
            out.merge(CounterKeys.drives(d.health().name().toLowerCase(Locale.ROOT)), 1L, Long::sum);
        }
        return out;
    }

    /** The contribution of a volume: one of its status. */
    public static Map<String, Long> ofVolume(String status) {
        return Map.of(CounterKeys.volumes(checkWord(status)), 1L);
    }

    /** The contribution of a client: one client server of its state ({@code connected}, {@code lost} ...). */
    public static Map<String, Long> ofClient(String state) {
        return Map.of(CounterKeys.servers("client", checkWord(state)), 1L);
    }

    /**
     * The full recomputation: every partition's contribution, from the inventory, the recorded allocations, the
     * desired state and the volumes' statuses. Its sum is what the counters must equal.
     */
    public static Map<String, Map<String, Long>> contributions(Inventory inventory, Allocations recorded,
                                                               DesiredState desired, Map<String, String> volumeStatus) {
        return contributions(inventory, recorded, desired, volumeStatus, c -> "known");
    }

    /**
     * The full recomputation with each client's live state ({@code connected}, {@code lost}), as the service counts
     * clients: their connection is not recorded in Git, only heard by their owner.
     */
    public static Map<String, Map<String, Long>> contributions(Inventory inventory, Allocations recorded,
                                                               DesiredState desired, Map<String, String> volumeStatus,
                                                               Function<String, String> clientState) {
        Map<String, String> targetOfSerial = new HashMap<>();
        for (Target t : inventory.targets()) {
            t.drives().forEach(d -> targetOfSerial.put(d.serial(), t.id()));
        }
        Map<String, List<VolumeAllocation>> byTarget = new HashMap<>();
        for (VolumeAllocation v : recorded.volumes()) {
            Set<String> touched = new LinkedHashSet<>();
            for (Extent e : v.extents()) {
                String t = targetOfSerial.get(e.serial());
                if (t != null) {
                    touched.add(t);
                }
            }
            touched.forEach(t -> byTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(v));
        }
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (Target t : inventory.targets()) {
            out.put(targetPartition(t.id()),
                    ofTarget(t, new Allocations(byTarget.getOrDefault(t.id(), List.of())), desired));
        }
        for (Map.Entry<String, String> v : volumeStatus.entrySet()) {
            out.put(volumePartition(v.getKey()), ofVolume(v.getValue()));
        }
        for (io.nvmesh.core.allocation.Client c : inventory.clients()) {
            out.put(clientPartition(c.id()), ofClient(clientState.apply(c.id())));
        }
        return out;
    }

    /** The volumes of {@code recorded} with an extent on one of the target's drives. */
    public static Allocations touching(Allocations recorded, Target target) {
        Set<String> serials = new TreeSet<>();
        target.drives().forEach(d -> serials.add(d.serial()));
        return new Allocations(recorded.volumes().stream()
                .filter(v -> v.extents().stream().anyMatch(e -> serials.contains(e.serial()))).toList());
    }

    /** A plan's placed actions, with the inventory they were planned on. */
    public static List<CounterDelta> ofPlan(Plan plan, Inventory inventory, DesiredState desired) {
        Map<String, Target> bySerial = new HashMap<>();
        for (Target t : inventory.targets()) {
            t.drives().forEach(d -> bySerial.put(d.serial(), t));
        }
        return ofPlan(plan, s -> Optional.ofNullable(bySerial.get(s)), desired);
    }

    /**
     * A plan's placed actions: extents added move bytes from free (or withheld) to data or redundant, extents removed
     * move them back, per target touched. Extents are linear in the ledger, so the change of a target is the ledger's
     * change when the target's actions are applied to it alone; no other drive is looked at.
     *
     * @param targetOfSerial where each drive sits now
     */
    public static List<CounterDelta> ofPlan(Plan plan, Function<String, Optional<Target>> targetOfSerial,
                                            DesiredState desired) {
        Map<String, Target> targets = new TreeMap<>();
        Map<String, List<Action>> actions = new HashMap<>();
        for (Action a : plan.actions()) {
            if (a.outcome() != Outcome.PLACED) {
                continue;
            }
            Set<String> touched = new LinkedHashSet<>();
            for (List<Segment> segments : List.of(a.addedSegments(), a.removedSegments())) {
                for (Segment s : segments) {
                    targetOfSerial.apply(s.extent().serial()).ifPresent(t -> {
                        targets.putIfAbsent(t.id(), t);
                        touched.add(t.id());
                    });
                }
            }
            touched.forEach(t -> actions.computeIfAbsent(t, k -> new ArrayList<>()).add(a));
        }
        List<CounterDelta> out = new ArrayList<>();
        for (Target t : targets.values()) {
            CapacityLedger ledger = CapacityLedger.recompute(Inventory.of(List.of(t)), Allocations.EMPTY, desired);
            Map<String, Long> before = bytes(ledger.report());
            ledger.apply(new Plan(actions.get(t.id()), Usage.ZERO, Usage.ZERO));
            out.addAll(difference(targetPartition(t.id()), before, bytes(ledger.report())));
        }
        return out;
    }

    /**
     * A target that appears, changes (a drive added, failed, cordoned, moved in or out; the target's health) or
     * disappears.
     *
     * @param before   the target before, or null when it is new
     * @param after    the target after, or null when it is gone
     * @param recorded the recorded allocations (or just the volumes touching the target, see {@link #touching})
     */
    public static List<CounterDelta> ofTargetChange(Target before, Target after, Allocations recorded,
                                                    DesiredState desired) {
        if (before == null && after == null) {
            return List.of();
        }
        String id = before != null ? before.id() : after.id();
        if (before != null && after != null && !before.id().equals(after.id())) {
            throw new IllegalArgumentException("a target change needs one target, got " + before.id() + " and "
                    + after.id());
        }
        Map<String, Long> was = before == null ? Map.of() : ofTarget(before, recorded, desired);
        Map<String, Long> now = after == null ? Map.of() : ofTarget(after, recorded, desired);
        return difference(targetPartition(id), was, now);
    }

    /** A volume created ({@code before} null), changing status, or deleted ({@code after} null). */
    public static List<CounterDelta> ofVolumeStatus(String volume, String before, String after) {
        return difference(volumePartition(volume), before == null ? Map.of() : ofVolume(before),
                after == null ? Map.of() : ofVolume(after));
    }

    /** The deltas that turn one contribution of a partition into another. */
    public static List<CounterDelta> difference(String partition, Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> diff = new TreeMap<>();
        after.forEach((k, v) -> diff.merge(k, v, Long::sum));
        before.forEach((k, v) -> diff.merge(k, -v, Long::sum));
        List<CounterDelta> out = new ArrayList<>();
        diff.forEach((k, d) -> {
            if (d != 0) {
                out.add(new CounterDelta(partition, k, d));
            }
        });
        return out;
    }

    private static Map<String, Long> bytes(CapacityReport report) {
        Map<String, Long> out = new LinkedHashMap<>();
        CounterKeys.putUsage(out, CounterKeys.CLUSTER, report.cluster());
        report.byTarget().forEach((t, u) -> CounterKeys.putUsage(out, CounterKeys.TARGET + t, u));
        report.byDomain().forEach((d, u) -> CounterKeys.putUsage(out, CounterKeys.DOMAIN + d, u));
        report.byDriveClass().forEach((c, u) -> CounterKeys.putUsage(out, CounterKeys.CLASS + c, u));
        return out;
    }

    private static String checkWord(String word) {
        Objects.requireNonNull(word, "status");
        if (!word.matches("[a-z][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("status \"" + word + "\" must be a lower-case word");
        }
        return word;
    }
}
