package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Volume;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random topologies and random sequences of create, extend, delete, evacuate, drive failure and drive moves: after
 * every plan the recorded state stays sound, counters agree with a recount, and planning is deterministic.
 */
class AllocationProperties {

    static final List<VolumePolicy> POLICIES = List.of(
            Fleet.policy("concat", Layout.CONCATENATED),
            Fleet.policy("r0", Layout.RAID0, 3, 0, 0, 0, Protection.FULL, null),
            Fleet.policy("r1", Layout.RAID1),
            Fleet.policy("r1-min", Layout.RAID1, 1, 2, 0, 0, Protection.MINIMAL, null),
            Fleet.policy("r10-ign", Layout.RAID10, 2, 1, 0, 0, Protection.IGNORE, null),
            Fleet.policy("r10-rack", Layout.RAID10, 2, 1, 0, 0, Protection.FULL, "rack"),
            Fleet.policy("ec-min", Layout.ERASURE_CODING, 1, 0, 4, 2, Protection.MINIMAL, null),
            Fleet.policy("sec", Layout.STRIPED_ERASURE_CODING, 2, 0, 2, 1, Protection.FULL, null));

    @Property(tries = 200)
    void everyPlanKeepsTheStateSoundAndTheCountersExact(
            @ForAll @IntRange(min = 1, max = 7) int targets,
            @ForAll @IntRange(min = 1, max = 3) int drivesPerTarget,
            @ForAll @IntRange(min = 1, max = 3) int racks,
            @ForAll @Size(max = 24) List<@IntRange(min = 0, max = 1_000_000) Integer> ops) {
        Inventory inv = topology(targets, drivesPerTarget, racks);
        TreeMap<String, Volume> volumes = new TreeMap<>();
        List<DriveIntent> intents = new ArrayList<>();
        Allocations state = Allocations.EMPTY;
        DesiredState desired = DesiredState.of(POLICIES, List.of());
        CapacityLedger ledger = CapacityLedger.recompute(inv, state, desired);
        int n = 0;
        for (int op : ops) {
            List<String> serials = inv.targets().stream().flatMap(t -> t.drives().stream()).map(Drive::serial).toList();
            int pick = op / 8;
            switch (op % 8) {
                case 0, 1, 2 -> {
                    VolumePolicy p = POLICIES.get(pick % POLICIES.size());
                    String name = "v" + n++;
                    volumes.put(name, sized(name, p.name(), 1 + pick % 40));
                }
                case 3 -> {
                    if (!volumes.isEmpty()) {
                        Volume v = nth(volumes, pick);
                        if (!v.capacity().max()) {
                            volumes.put(v.name(), sized(v.name(), v.policy(), v.capacity().size().bytes() / G + 1 + pick % 20));
                        }
                    }
                }
                case 4 -> {
                    if (!volumes.isEmpty()) {
                        volumes.remove(nth(volumes, pick).name());
                    }
                }
                case 5 -> intents.add(new DriveIntent(Metadata.named("i" + n++), serials.get(pick % serials.size()),
                        false, true));
                case 6 -> inv = Fleet.withDrive(inv, serials.get(pick % serials.size()), d -> d.withHealth(DriveHealth.FAILED));
                default -> inv = Fleet.moveDrive(inv, serials.get(pick % serials.size()),
                        inv.targets().get(pick / 7 % inv.targets().size()).id());
            }
            desired = new DesiredState(POLICIES, List.of(), List.of(), List.copyOf(volumes.values()), intents);
            ledger.update(inv, desired);

            Plan plan = Planner.plan(inv, state, desired);
            plan.actions().forEach(a -> Statistics.label("actions").collect(a.kind(), a.outcome()));

            assertThat(Planner.plan(inv, state, desired)).as("same inputs, same plan").isEqualTo(plan);
            failedCreatesChangeNothing(inv, state, desired, plan);
            Allocations next = state.apply(plan);
            soundness(inv, next, plan);
            ledger.apply(plan);
            assertThat(ledger.report()).as("incremental counters equal a recount")
                    .isEqualTo(CapacityLedger.recompute(inv, next, desired).report());
            assertThat(plan.after()).isEqualTo(ledger.cluster());
            perTargetFiguresAddUpAndClusterDataIsWholeDataSegments(inv, next, ledger.report());
            state = next;
            forgetWhatFailed(plan, state, volumes);
        }
    }

    /**
     * Invariant 4, data is never invented: over random layouts, drives failing or going missing between passes and
     * volumes that accept the loss of some failed drives, no placed move takes a segment off a failed drive unless the
     * other segments of its group on online drives could rebuild it (one for mirrors and lone segments, k for EC), or
     * the volume's {@code nvmesh.io/accept-data-loss} names that drive; and a group short of live copies changes by
     * nothing else (no evacuation or separation move either), which is what a state writer checks. Liveness is worked
     * out here from the inventory, not asked of {@link LiveCopies}.
     */
    @Property(tries = 300)
    void noMoveOffAFailedDriveInventsData(
            @ForAll @IntRange(min = 1, max = 7) int targets,
            @ForAll @IntRange(min = 1, max = 3) int drivesPerTarget,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 1_000_000) Integer> volumeSeeds,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 1_000_000) Integer> events) {
        Inventory inv = topology(targets, drivesPerTarget, 2);
        TreeMap<String, Volume> volumes = new TreeMap<>();
        for (int i = 0; i < volumeSeeds.size(); i++) {
            int seed = volumeSeeds.get(i);
            String name = "v" + i;
            volumes.put(name, sized(name, POLICIES.get(seed % POLICIES.size()).name(), 1 + seed / 8 % 30));
        }
        DesiredState desired = DesiredState.of(POLICIES, List.copyOf(volumes.values()));
        Allocations state = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        List<DriveIntent> intents = new ArrayList<>();
        for (int event : events) {
            List<String> serials = inv.targets().stream().flatMap(t -> t.drives().stream()).map(Drive::serial).toList();
            int pick = event / 5;
            switch (event % 5) {
                case 0, 1 -> inv = Fleet.withDrive(inv, serials.get(pick % serials.size()),
                        d -> d.withHealth(DriveHealth.FAILED));
                case 2 -> inv = Fleet.withDrive(inv, serials.get(pick % serials.size()),
                        d -> d.withHealth(DriveHealth.MISSING));
                case 3 -> intents.add(new DriveIntent(Metadata.named("i" + intents.size()),
                        serials.get(pick % serials.size()), false, true));
                default -> {
                    // A person accepts the loss of every failed drive, or of some (bit i of pick: the i-th failed
                    // one), for one volume.
                    List<String> failed = inv.targets().stream().flatMap(t -> t.drives().stream())
                            .filter(d -> d.health() == DriveHealth.FAILED).map(Drive::serial).toList();
                    List<String> accepted = new ArrayList<>();
                    for (int i = 0; i < failed.size(); i++) {
                        if (pick % 2 == 0 || (pick >> i & 1) == 1) {
                            accepted.add(failed.get(i));
                        }
                    }
                    Volume v = nth(volumes, pick);
                    volumes.put(v.name(), new Volume(new Metadata(v.name(), Map.of(), accepted.isEmpty() ? Map.of()
                            : Map.of(Volume.ACCEPT_DATA_LOSS, String.join(",", accepted))), v.policy(), v.capacity(),
                            v.clients(), v.rebuildPriority(), v.deletionProtection()));
                }
            }
            desired = DesiredState.of(POLICIES, List.copyOf(volumes.values())).withDriveIntents(intents);
            Plan plan = Planner.plan(inv, state, desired);
            Map<String, DriveHealth> health = new HashMap<>();
            inv.targets().forEach(t -> t.drives().forEach(d -> health.put(d.serial(), d.health())));
            for (Action a : plan.actions()) {
                if (a.kind() != ActionKind.MOVE) {
                    continue;
                }
                SegmentMove m = a.move();
                Group g = state.volume(a.volume()).orElseThrow().chunks().get(m.chunk()).groups().get(m.group());
                boolean onFailed = health.get(m.from().serial()) == DriveHealth.FAILED;
                long liveInGroup = g.segments().stream()
                        .filter(s -> health.getOrDefault(s.extent().serial(), DriveHealth.MISSING).online())
                        .count();
                long dataSegments = g.segments().stream().filter(s -> s.role() == Role.DATA).count();
                if (!onFailed) {
                    if (liveInGroup < dataSegments) {
                        Statistics.label("off a readable drive, group short of live copies").collect(a.outcome());
                    }
                    assertThat(a.outcome() == Outcome.UNPLACEABLE || liveInGroup >= dataSegments).as("%s moves"
                            + " segment %d of chunk %d group %d (%s) although the group has %d live segments of %d"
                            + " needed", a.volume(), m.segment(), m.chunk(), m.group(), m.cause(), liveInGroup,
                            dataSegments).isTrue();
                    continue;
                }
                long liveOthers = g.segments().stream().filter(s -> s.index() != m.segment())
                        .filter(s -> health.getOrDefault(s.extent().serial(), DriveHealth.MISSING).online())
                        .count();
                long k = g.segments().stream().filter(s -> s.role() == Role.DATA).count();
                boolean accepted = desired.volumes().stream().filter(v -> v.name().equals(a.volume())).findFirst()
                        .orElseThrow().acceptedDataLoss().contains(m.from().serial());
                Statistics.label("off a failed drive").collect(a.outcome() == Outcome.UNPLACEABLE ? "left in place"
                        : liveOthers >= k ? "rebuilt from live copies" : "recreated empty, loss accepted");
                if (a.outcome() == Outcome.PLACED) {
                    assertThat(liveOthers >= k || accepted).as("%s moves %s of chunk %d group %d off failed drive %s"
                            + " with %d live others (needs %d) and the loss not accepted", a.volume(), m.segment(),
                            m.chunk(), m.group(), m.from().serial(), liveOthers, k).isTrue();
                }
            }
            state = state.apply(plan);
        }
        Statistics.label("off a failed drive").coverage(c -> {
            c.check("left in place").count(n -> n > 0);
            c.check("rebuilt from live copies").count(n -> n > 0);
            c.check("recreated empty, loss accepted").count(n -> n > 0);
        });
    }

    /**
     * A stripe width asks for that many drives in parallel: over random striped layouts, widths, protections and
     * fleets (with drives failing, cordoned and evacuated between passes), every chunk a plan creates or adds to a
     * volume whose policy does not allow shared drives has its stripes (groups) on pairwise distinct drives; a refusal
     * that blames the stripes is true (fewer eligible drives, or drives with the space, than the stripes need); and a
     * policy that allows shared drives places whenever the same policy without it does.
     */
    @Property(tries = 300)
    void newChunksKeepTheirStripesOnDistinctDrives(
            @ForAll @IntRange(min = 1, max = 6) int targets,
            @ForAll @IntRange(min = 1, max = 4) int drivesPerTarget,
            @ForAll @IntRange(min = 0, max = 5) int layoutPick,
            @ForAll @IntRange(min = 2, max = 5) int width,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 1_000_000) Integer> ops) {
        Inventory inv = topology(targets, drivesPerTarget, 2);
        VolumePolicy apart = switch (layoutPick) {
            case 0 -> Fleet.policy("p", Layout.RAID0, width, 0, 0, 0, Protection.FULL, null);
            case 1 -> Fleet.policy("p", Layout.RAID0, width, 0, 0, 0, Protection.MINIMAL, null);
            case 2 -> Fleet.policy("p", Layout.RAID10, width, 1, 0, 0, Protection.FULL, null);
            case 3 -> Fleet.policy("p", Layout.RAID10, width, 2, 0, 0, Protection.IGNORE, null);
            case 4 -> Fleet.policy("p", Layout.RAID10, width, 2, 0, 0, Protection.MINIMAL, "rack");
            default -> Fleet.policy("p", Layout.STRIPED_ERASURE_CODING, width, 0, 2, 1, Protection.MINIMAL, null);
        };
        VolumePolicy shared = Fleet.policy("p", apart.layout(), width, apart.mirrors(), apart.dataBlocks(),
                apart.parityBlocks(), apart.protection(), apart.domainScope(), true);
        TreeMap<String, Volume> volumes = new TreeMap<>();
        Allocations state = Allocations.EMPTY;
        List<DriveIntent> intents = new ArrayList<>();
        int n = 0;
        for (int op : ops) {
            List<String> serials = inv.targets().stream().flatMap(t -> t.drives().stream()).map(Drive::serial).toList();
            int pick = op / 5;
            switch (op % 5) {
                case 0, 1 -> volumes.put("v" + n, sized("v" + n++, "p", 1 + pick % 60));
                case 2 -> {
                    if (!volumes.isEmpty()) {
                        Volume v = nth(volumes, pick);
                        volumes.put(v.name(), sized(v.name(), "p", v.capacity().size().bytes() / G + 1 + pick % 30));
                    }
                }
                case 3 -> inv = Fleet.withDrive(inv, serials.get(pick % serials.size()),
                        d -> d.withHealth(DriveHealth.FAILED));
                default -> intents.add(new DriveIntent(Metadata.named("i" + n++), serials.get(pick % serials.size()),
                        pick % 2 == 0, pick % 2 == 1));
            }
            DesiredState desired = new DesiredState(List.of(apart), List.of(), List.of(),
                    List.copyOf(volumes.values()), intents);
            Plan plan = Planner.plan(inv, state, desired);
            for (Action a : plan.actions()) {
                List<Chunk> added = a.kind() == ActionKind.CREATE && a.allocation() != null ? a.allocation().chunks()
                        : a.chunks();
                for (Chunk c : added) {
                    Statistics.label("new chunks").collect(a.kind());
                    Set<String> seen = new HashSet<>();
                    for (Group g : c.groups()) {
                        Set<String> own = new HashSet<>();
                        g.segments().forEach(sg -> own.add(sg.extent().serial()));
                        assertThat(seen).as("%s %s chunk %d: stripe %d shares a drive with an earlier stripe",
                                a.kind(), a.volume(), c.index(), g.index()).doesNotContainAnyElementsOf(own);
                        seen.addAll(own);
                    }
                }
                if (a.outcome() == Outcome.UNPLACEABLE && a.reason().contains("distinct drives per chunk")) {
                    Statistics.label("refused for stripes").collect(a.kind());
                    Plan sharing = Planner.plan(inv, state, new DesiredState(List.of(shared), List.of(), List.of(),
                            desired.volumes(), intents));
                    assertThat(sharing.unplaceable()).as("allowSharedDrives places what only stripes refused")
                            .noneMatch(b -> b.volume().equals(a.volume()) && b.kind() == a.kind()
                                    && !b.reason().contains("chunks"));
                }
            }
            state = state.apply(plan);
            forgetWhatFailed(plan, state, volumes);
        }
    }

    /**
     * Per-target data and redundant bytes add up to the cluster's exactly; and while every drive holding a segment is
     * listed and online, the cluster's data is what whole data segments hold (k × length per erasure-coded group),
     * however each segment is split between data and redundant on its own target.
     */
    private static void perTargetFiguresAddUpAndClusterDataIsWholeDataSegments(Inventory inv, Allocations a,
            CapacityReport report) {
        assertThat(report.byTarget().values().stream().mapToLong(Usage::data).sum()).isEqualTo(report.cluster().data());
        assertThat(report.byTarget().values().stream().mapToLong(Usage::redundant).sum())
                .isEqualTo(report.cluster().redundant());
        long wholeData = 0;
        long wholeRedundant = 0;
        for (VolumeAllocation v : a.volumes()) {
            for (Chunk c : v.chunks()) {
                for (Group g : c.groups()) {
                    for (Segment s : g.segments()) {
                        if (inv.drive(s.extent().serial()).filter(d -> d.health().online()).isEmpty()) {
                            return;
                        }
                        if (s.role() == Role.DATA) {
                            wholeData += s.extent().length();
                        } else {
                            wholeRedundant += s.extent().length();
                        }
                    }
                }
            }
        }
        Statistics.label("cluster totals checked against whole segments").collect(true);
        assertThat(report.cluster().data()).isEqualTo(wholeData);
        assertThat(report.cluster().redundant()).isEqualTo(wholeRedundant);
    }

    private static void soundness(Inventory inv, Allocations next, Plan plan) {
        Set<String> stuck = new HashSet<>();
        plan.unplaceable().stream().filter(a -> a.kind() == ActionKind.MOVE).forEach(a -> stuck.add(a.volume()));
        for (Violation v : StateChecker.check(inv, next)) {
            if (v.kind() == Violation.Kind.PROTECTION) {
                assertThat(stuck).as("protection is broken only where the plan says it could not move: %s", v)
                        .contains(v.volume());
            } else {
                assertThat(v.error()).as("%s", v).isFalse();
            }
        }
    }

    /** Planning without the creates that failed gives the same plan minus them: they touched nothing. */
    private static void failedCreatesChangeNothing(Inventory inv, Allocations state, DesiredState desired, Plan plan) {
        Set<String> failed = new HashSet<>();
        plan.unplaceable().stream().filter(a -> a.kind() == ActionKind.CREATE).forEach(a -> failed.add(a.volume()));
        if (failed.isEmpty()) {
            return;
        }
        DesiredState without = desired.withVolumes(
                desired.volumes().stream().filter(v -> !failed.contains(v.name())).toList());
        List<Action> expected = plan.actions().stream()
                .filter(a -> !(a.kind() == ActionKind.CREATE && failed.contains(a.volume()))).toList();
        assertThat(Planner.plan(inv, state, without).actions()).isEqualTo(expected);
    }

    /** The operator gives up on what could not be placed, so later steps start from recorded sizes. */
    private static void forgetWhatFailed(Plan plan, Allocations state, Map<String, Volume> volumes) {
        for (Action a : plan.unplaceable()) {
            if (a.kind() == ActionKind.CREATE) {
                volumes.remove(a.volume());
            } else if (a.kind() == ActionKind.EXTEND) {
                Volume v = volumes.get(a.volume());
                long recorded = state.volume(a.volume()).orElseThrow().size();
                volumes.put(v.name(), new Volume(v.metadata(), v.policy(), Capacity.of(io.nvmesh.schema.Size.ofBytes(recorded)),
                        v.clients(), v.rebuildPriority(), v.deletionProtection()));
            }
        }
    }

    /** Shared with {@link PlannerShortcutProperties}. */
    static Inventory topology(int targets, int drivesPerTarget, int racks) {
        List<Target> ts = new ArrayList<>();
        long[] sizes = {40, 100, 250};
        for (int t = 1; t <= targets; t++) {
            List<Drive> ds = new ArrayList<>();
            for (int d = 1; d <= drivesPerTarget; d++) {
                ds.add(Drive.of("s" + t + "-" + d, sizes[(t * 7 + d * 3) % 3] * G + (t % 2) * 512 * 1024));
            }
            ts.add(Target.of("t" + t, Map.of("rack", "r" + (t % racks)), ds));
        }
        return Inventory.of(ts);
    }

    static Volume sized(String name, String policy, long gib) {
        return new Volume(Metadata.named(name), policy, Capacity.of(io.nvmesh.schema.Size.ofGiB(gib)), List.of(),
                name.hashCode() & 3, false);
    }

    private static Volume nth(TreeMap<String, Volume> volumes, int i) {
        return new ArrayList<>(volumes.values()).get(i % volumes.size());
    }
}
