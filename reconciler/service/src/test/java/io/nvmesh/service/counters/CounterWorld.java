package io.nvmesh.service.counters;

import io.nvmesh.core.allocation.Action;
import io.nvmesh.core.allocation.ActionKind;
import io.nvmesh.core.allocation.Allocations;
import io.nvmesh.core.allocation.CapacityLedger;
import io.nvmesh.core.allocation.CapacityReport;
import io.nvmesh.core.allocation.DesiredState;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Outcome;
import io.nvmesh.core.allocation.Plan;
import io.nvmesh.core.allocation.Planner;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.LabelSelector;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Size;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A simulated cluster state for counter tests: an inventory, the planner's allocations, the desired volumes and their
 * statuses, and a version that grows with every change. Each change returns the deltas {@link CounterDeltas} derives
 * for it; {@link #stateOf} is the source a new owner reads; {@link #expectedReport} is the full recomputation.
 */
public final class CounterWorld implements ContributionSource {

    static final long G = Size.GiB;

    /** One change: the version it leads to and its deltas. */
    public record Change(String what, long version, List<CounterDelta> deltas, boolean keysChanged) {
    }

    private final Random random;
    private Inventory inventory;
    private Allocations allocations = Allocations.EMPTY;
    private DesiredState desired;
    private final Map<String, String> status = new TreeMap<>();
    private long version = 1;
    private int nextVolume;
    private int nextTarget;
    private int nextDrive;
    private final int racks;
    /** Volumes touching each target, for the allocations of {@link #indexed}; rebuilt when they change. */
    private Map<String, Allocations> touching = Map.of();
    private Allocations indexed;

    private CounterWorld(Inventory inventory, DesiredState desired, int racks, Random random) {
        this.inventory = inventory;
        this.desired = desired;
        this.racks = racks;
        this.random = random;
        this.nextTarget = inventory.targets().size();
    }

    public static CounterWorld generate(int targets, int drives, int racks, long seed) {
        Random random = new Random(seed);
        List<Target> ts = new ArrayList<>();
        CounterWorld w = new CounterWorld(Inventory.of(List.of()), desired(List.of()), racks, random);
        for (int t = 0; t < targets; t++) {
            ts.add(w.newTarget(t, drives));
        }
        w.inventory = Inventory.of(ts);
        w.nextTarget = targets;
        return w;
    }

    static DesiredState desired(List<Volume> volumes) {
        List<VolumePolicy> policies = List.of(
                VolumePolicy.defaults("concat", Layout.CONCATENATED),
                new VolumePolicy(Metadata.named("mirror"), Layout.RAID1, 1, VolumePolicy.DEFAULT_STRIPE_SIZE, 1, 0, 0,
                        Protection.FULL, "rack", List.of(), List.of(), false, false),
                new VolumePolicy(Metadata.named("stripe"), Layout.RAID0, 2, VolumePolicy.DEFAULT_STRIPE_SIZE, 0, 0, 0,
                        Protection.FULL, null, List.of(), List.of(), false, false));
        List<DriveClass> classes = List.of(
                new DriveClass(Metadata.named("tlc"), new LabelSelector(Map.of("media", "tlc"), List.of()), List.of()),
                new DriveClass(Metadata.named("qlc"), new LabelSelector(Map.of("media", "qlc"), List.of()), List.of()));
        return new DesiredState(policies, classes, List.of(), volumes, List.of());
    }

    private Target newTarget(int index, int drives) {
        String id = String.format("t%04d", index);
        List<Drive> ds = new ArrayList<>();
        for (int d = 0; d < drives; d++) {
            ds.add(newDrive(id));
        }
        return Target.of(id, Map.of("rack", "r" + (index % racks + 1), "zone", "z" + (index % 2 + 1)), ds);
    }

    private Drive newDrive(String target) {
        String media = random.nextBoolean() ? "tlc" : "qlc";
        return new Drive(target + "-d" + nextDrive++, (100 + random.nextInt(300)) * G + random.nextInt(1000),
                DriveHealth.OK, Map.of("media", media));
    }

    /** The volumes with an extent on the target (an index, so that a change costs the target's volumes only). */
    private Allocations touching(Target target) {
        if (indexed != allocations) {
            Map<String, String> targetOfSerial = new HashMap<>();
            inventory.targets().forEach(t -> t.drives().forEach(d -> targetOfSerial.put(d.serial(), t.id())));
            Map<String, List<io.nvmesh.core.allocation.VolumeAllocation>> by = new HashMap<>();
            for (io.nvmesh.core.allocation.VolumeAllocation v : allocations.volumes()) {
                v.extents().stream().map(e -> targetOfSerial.get(e.serial())).filter(java.util.Objects::nonNull)
                        .distinct().forEach(t -> by.computeIfAbsent(t, k -> new ArrayList<>()).add(v));
            }
            Map<String, Allocations> index = new HashMap<>();
            by.forEach((t, vs) -> index.put(t, new Allocations(vs)));
            touching = index;
            indexed = allocations;
        }
        return touching.getOrDefault(target.id(), Allocations.EMPTY);
    }

    /** The partitions that exist: every target and every desired volume. */
    public synchronized List<String> keys() {
        List<String> keys = new ArrayList<>();
        inventory.targets().forEach(t -> keys.add(CounterDeltas.targetPartition(t.id())));
        status.keySet().forEach(v -> keys.add(CounterDeltas.volumePartition(v)));
        return keys;
    }

    public synchronized long version() {
        return version;
    }

    @Override
    public synchronized PartitionState stateOf(String partition) {
        if (partition.startsWith("target/")) {
            String id = partition.substring("target/".length());
            for (Target t : inventory.targets()) {
                if (t.id().equals(id)) {
                    return new PartitionState(version, CounterDeltas.ofTarget(t, touching(t), desired));
                }
            }
        } else if (partition.startsWith("volume/")) {
            String s = status.get(partition.substring("volume/".length()));
            if (s != null) {
                return new PartitionState(version, CounterDeltas.ofVolume(s));
            }
        }
        return new PartitionState(version, Map.of());
    }

    /** The full recomputation, partition by partition. */
    public synchronized Map<String, Map<String, Long>> contributions() {
        return CounterDeltas.contributions(inventory, allocations, desired, status);
    }

    /** What every total must be: the sum of the recomputed contributions. */
    public synchronized Map<String, Long> expectedTotals() {
        Map<String, Long> out = new TreeMap<>();
        contributions().values().forEach(c -> c.forEach((k, v) -> out.merge(k, v, Long::sum)));
        out.values().removeIf(v -> v == 0);
        return out;
    }

    /** {@code CapacityLedger.recompute} over the whole state. */
    public synchronized CapacityReport expectedReport() {
        return CapacityLedger.recompute(inventory, allocations, desired).report();
    }

    public synchronized Inventory inventory() {
        return inventory;
    }

    public synchronized Allocations allocations() {
        return allocations;
    }

    public synchronized DesiredState desiredState() {
        return desired;
    }

    /** A random change of one kind or another. */
    public synchronized Change randomChange() {
        int dice = random.nextInt(100);
        if (dice < 30) {
            return createVolumes(1 + random.nextInt(3));
        } else if (dice < 45) {
            return deleteVolume();
        } else if (dice < 60) {
            return setDriveHealth(pick(DriveHealth.values()));
        } else if (dice < 72) {
            return addDrive();
        } else if (dice < 82) {
            return flipTarget();
        } else if (dice < 90) {
            return addTarget(2 + random.nextInt(3));
        } else {
            return replan();
        }
    }

    /** A change that needs no planning: a drive's or a target's health, a new drive, a volume's status. */
    public synchronized Change cheapChange() {
        int dice = random.nextInt(100);
        if (dice < 40) {
            return setDriveHealth(pick(DriveHealth.values()));
        } else if (dice < 55) {
            return addDrive();
        } else if (dice < 70) {
            return flipTarget();
        } else {
            return flipVolumeStatus();
        }
    }

    /** A placed volume becomes degraded, or a degraded one placed again. */
    public synchronized Change flipVolumeStatus() {
        if (status.isEmpty()) {
            return flipTarget();
        }
        String name = pick(new ArrayList<>(status.keySet()));
        String before = status.get(name);
        String after = before.equals("placed") ? "degraded" : before.equals("degraded") ? "placed" : before;
        status.put(name, after);
        return next(name + " " + after, CounterDeltas.ofVolumeStatus(name, before, after), false);
    }

    public synchronized Change createVolumes(int n) {
        List<Volume> vs = new ArrayList<>(desired.volumes());
        List<String> policies = List.of("concat", "mirror", "stripe");
        List<CounterDelta> deltas = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = String.format("v%05d", nextVolume++);
            vs.add(new Volume(Metadata.named(name), pick(policies), Capacity.of(Size.ofGiB(1 + random.nextInt(20))),
                    List.of(), 0, false));
            status.put(name, "pending");
            deltas.addAll(CounterDeltas.ofVolumeStatus(name, null, "pending"));
        }
        desired = desired.withVolumes(vs);
        return plan("create " + n + " volume(s)", deltas, true);
    }

    public synchronized Change deleteVolume() {
        if (status.isEmpty()) {
            return createVolumes(1);
        }
        String name = pick(new ArrayList<>(status.keySet()));
        desired = desired.withVolumes(desired.volumes().stream().filter(v -> !v.name().equals(name)).toList());
        List<CounterDelta> deltas = new ArrayList<>();
        if (allocations.volume(name).isEmpty()) {
            deltas.addAll(CounterDeltas.ofVolumeStatus(name, status.remove(name), null));
        }
        return plan("delete " + name, deltas, true);
    }

    /** Runs the planner (moves off failed drives, pending creates) and applies its plan. */
    public synchronized Change replan() {
        return plan("replan", new ArrayList<>(), false);
    }

    private Change plan(String what, List<CounterDelta> deltas, boolean keysChanged) {
        Plan plan = Planner.plan(inventory, allocations, desired);
        deltas.addAll(CounterDeltas.ofPlan(plan, inventory, desired));
        for (Action a : plan.actions()) {
            if (a.outcome() != Outcome.PLACED) {
                continue;
            }
            if (a.kind() == ActionKind.CREATE) {
                deltas.addAll(CounterDeltas.ofVolumeStatus(a.volume(), status.put(a.volume(), "placed"), "placed"));
            } else if (a.kind() == ActionKind.DELETE) {
                deltas.addAll(CounterDeltas.ofVolumeStatus(a.volume(), status.remove(a.volume()), null));
                keysChanged = true;
            }
        }
        allocations = allocations.apply(plan);
        return next(what, deltas, keysChanged);
    }

    public synchronized Change setDriveHealth(DriveHealth health) {
        Target t = pick(inventory.targets());
        if (t.drives().isEmpty()) {
            return addDrive();
        }
        Drive d = pick(t.drives());
        return changeTarget("drive " + d.serial() + " " + health, t, t.withDrives(t.drives().stream()
                .map(x -> x.serial().equals(d.serial()) ? x.withHealth(health) : x).toList()));
    }

    public synchronized Change addDrive() {
        Target t = pick(inventory.targets());
        List<Drive> ds = new ArrayList<>(t.drives());
        ds.add(newDrive(t.id()));
        return changeTarget("add a drive to " + t.id(), t, t.withDrives(ds));
    }

    public synchronized Change flipTarget() {
        Target t = pick(inventory.targets());
        TargetHealth h = t.health() == TargetHealth.HEALTHY ? TargetHealth.UNHEALTHY : TargetHealth.HEALTHY;
        return changeTarget(t.id() + " " + h, t, t.withHealth(h));
    }

    public synchronized Change addTarget(int drives) {
        Target t = newTarget(nextTarget++, drives);
        List<Target> ts = new ArrayList<>(inventory.targets());
        ts.add(t);
        inventory = new Inventory(ts, inventory.clients());
        return next("add target " + t.id(), CounterDeltas.ofTargetChange(null, t, allocations, desired), true);
    }

    private Change changeTarget(String what, Target before, Target after) {
        List<CounterDelta> deltas = CounterDeltas.ofTargetChange(before, after, touching(before), desired);
        inventory = replace(inventory, after.id(), t -> after);
        return next(what, deltas, false);
    }

    private Change next(String what, List<CounterDelta> deltas, boolean keysChanged) {
        version++;
        return new Change(what, version, List.copyOf(deltas), keysChanged);
    }

    private static Inventory replace(Inventory inv, String id, UnaryOperator<Target> change) {
        List<Target> ts = new ArrayList<>();
        for (Target t : inv.targets()) {
            ts.add(t.id().equals(id) ? change.apply(t) : t);
        }
        return new Inventory(ts, inv.clients());
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private <T> T pick(T[] array) {
        return array[random.nextInt(array.length)];
    }

    /** Per-volume status, for tests that look. */
    synchronized Map<String, String> statuses() {
        return new HashMap<>(status);
    }
}
