package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.schema.Capacity;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The short cuts that let a 100,000-volume {@code diff} plan without per-segment maps give what the plain computation
 * gives, over random states with failed, missing, cordoned, evacuating, closed, moved and vanished drives: the
 * workspace's free lists reserved drive by drive are those of one reserve per extent, the plan skipping untouched
 * groups is the plan checking every group in full, and the usage before and after comes out as a recount of the
 * recorded state with the plan applied.
 */
class PlannerShortcutProperties {

    @Property(tries = 300)
    void shortCutsGiveThePlainAnswers(
            @ForAll @IntRange(min = 1, max = 7) int targets,
            @ForAll @IntRange(min = 1, max = 3) int drivesPerTarget,
            @ForAll @IntRange(min = 1, max = 3) int racks,
            @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 1_000_000) Integer> ops) {
        Inventory inv = AllocationProperties.topology(targets, drivesPerTarget, racks);
        TreeMap<String, Volume> volumes = new TreeMap<>();
        List<DriveIntent> intents = new ArrayList<>();
        Allocations state = Allocations.EMPTY;
        int n = 0;
        for (int op : ops) {
            if (inv.targets().stream().allMatch(t -> t.drives().isEmpty())) {
                inv = AllocationProperties.topology(targets, drivesPerTarget, racks);
            }
            List<String> serials = inv.targets().stream().flatMap(t -> t.drives().stream()).map(Drive::serial).toList();
            int pick = op / 10;
            switch (op % 10) {
                case 0, 1, 2 -> {
                    String name = "v" + n++;
                    String policy = AllocationProperties.POLICIES.get(pick % AllocationProperties.POLICIES.size())
                            .name();
                    volumes.put(name, AllocationProperties.sized(name, policy, 1 + pick % 40));
                }
                case 3 -> {
                    if (!volumes.isEmpty()) {
                        Volume v = new ArrayList<>(volumes.values()).get(pick % volumes.size());
                        volumes.put(v.name(), AllocationProperties.sized(v.name(), v.policy(), v.capacity().size().bytes() / G + 1
                                + pick % 20));
                    }
                }
                case 4 -> {
                    if (!volumes.isEmpty()) {
                        volumes.remove(new ArrayList<>(volumes.values()).get(pick % volumes.size()).name());
                    }
                }
                case 5 -> intents.add(new DriveIntent(Metadata.named("i" + n++), serials.get(pick % serials.size()),
                        pick % 2 == 0, pick % 2 == 1));
                case 6 -> inv = Fleet.withDrive(inv, serials.get(pick % serials.size()), d -> d.withHealth(
                        DriveHealth.values()[pick / 7 % DriveHealth.values().length]));
                case 7 -> inv = Fleet.moveDrive(inv, serials.get(pick % serials.size()),
                        inv.targets().get(pick / 7 % inv.targets().size()).id());
                case 8 -> inv = without(inv, serials.get(pick % serials.size()));
                default -> inv = new Inventory(inv.targets().stream().map(t -> t.id().hashCode() % 3 == pick % 3
                        ? t.withHealth(TargetHealth.values()[pick % TargetHealth.values().length]) : t).toList(),
                        inv.clients());
            }
            DesiredState desired = new DesiredState(AllocationProperties.POLICIES, List.of(), List.of(),
                    List.copyOf(volumes.values()), intents);

            assertThat(freeLists(new Workspace(inv, state, desired))).as("free lists reserved drive by drive")
                    .isEqualTo(oneByOne(inv, state));
            Plan plan = Planner.plan(inv, state, desired);
            assertThat(plan).as("untouched groups skipped, or every group checked")
                    .isEqualTo(Planner.plan(inv, state, desired, Planner.DEFAULT_SEARCH_BUDGET, false));
            CapacityLedger recount = CapacityLedger.recompute(inv, state, desired);
            assertThat(plan.before()).as("usage before").isEqualTo(recount.cluster());
            recount.apply(plan);
            assertThat(plan.after()).as("usage after").isEqualTo(recount.cluster());
            plan.actions().forEach(a -> Statistics.label("actions").collect(a.kind(), a.outcome()));
            state = state.apply(plan);
        }
    }

    /** A recorded state whose extents overlap is refused with the message one reserve per extent gives. */
    @Property(tries = 100)
    void overlappingExtentsAreRefusedAsBefore(@ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
        Inventory inv = AllocationProperties.topology(2, 2, 1);
        String serial = "s" + (1 + seed % 2) + "-" + (1 + seed / 2 % 2);
        long at = seed / 4 % 8 * Extent.ALIGNMENT;
        List<VolumeAllocation> volumes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long offset = i == 2 ? at + seed / 32 % 2 * Extent.ALIGNMENT : i * 64 * Extent.ALIGNMENT;
            volumes.add(new VolumeAllocation("v" + i, "concat", io.nvmesh.schema.Layout.CONCATENATED,
                    io.nvmesh.schema.Protection.FULL, null, 2 * Extent.ALIGNMENT, List.of(new Chunk(0, List.of(
                            new Group(0, List.of(new Segment(0, Role.DATA, new Extent(serial, offset,
                                    2 * Extent.ALIGNMENT)))))))));
        }
        Allocations state = new Allocations(volumes);
        DesiredState desired = DesiredState.of(AllocationProperties.POLICIES, List.of());
        String expected;
        try {
            oneByOne(inv, state);
            expected = null;
        } catch (IllegalStateException e) {
            expected = e.getMessage();
        }
        if (expected == null) {
            assertThat(freeLists(new Workspace(inv, state, desired))).isEqualTo(oneByOne(inv, state));
        } else {
            assertThatThrownBy(() -> new Workspace(inv, state, desired)).isInstanceOf(IllegalStateException.class)
                    .hasMessage(expected);
        }
        Statistics.collect(expected == null ? "consistent" : "overlapping");
    }

    /**
     * A state past {@link Workspace#PARALLEL_WALK_VOLUMES} is walked in two halves at once: the same free lists,
     * usage and plan as the one walk (the properties above stay below it), with a failed drive to repair and one no
     * longer listed.
     */
    @Example
    void aLargeStateWalkedInTwoHalvesGivesTheOneWalksAnswers() {
        List<Target> targets = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            List<Drive> drives = new ArrayList<>();
            for (int d = 0; d < 3; d++) {
                drives.add(Drive.of("s" + t + "-" + d, 12 * 1024 * G));
            }
            targets.add(Target.of("t" + t, Map.of("rack", "r" + t % 2), drives));
        }
        List<String> serials = targets.stream().flatMap(t -> t.drives().stream()).map(Drive::serial).toList();
        int count = Workspace.PARALLEL_WALK_VOLUMES + 905;
        long unit = G;
        List<VolumeAllocation> recorded = new ArrayList<>();
        List<Volume> wanted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = String.format("v%05d", i);
            Group g = new Group(0, List.of(
                    new Segment(0, Role.DATA, new Extent(serials.get(i % 12), 2 * i * unit, unit)),
                    new Segment(1, Role.MIRROR, new Extent(serials.get((i + 5) % 12), 2 * i * unit, unit))));
            recorded.add(new VolumeAllocation(name, "r1", io.nvmesh.schema.Layout.RAID1,
                    io.nvmesh.schema.Protection.FULL, null, unit, List.of(new Chunk(0, List.of(g)))));
            wanted.add(new Volume(Metadata.named(name), "r1", Capacity.of(io.nvmesh.schema.Size.ofBytes(
                    i % 1000 == 0 ? 2 * unit : unit)), List.of(), i % 3, false));
        }
        Inventory inv = without(Fleet.withDrive(Inventory.of(targets), "s1-1", d -> d.withHealth(DriveHealth.FAILED)),
                "s2-2");
        Allocations state = new Allocations(recorded);
        DesiredState desired = new DesiredState(AllocationProperties.POLICIES, List.of(), List.of(), wanted,
                List.of());

        assertThat(freeLists(new Workspace(inv, state, desired))).isEqualTo(oneByOne(inv, state));
        Plan plan = Planner.plan(inv, state, desired);
        assertThat(plan).isEqualTo(Planner.plan(inv, state, desired, Planner.DEFAULT_SEARCH_BUDGET, false));
        CapacityLedger recount = CapacityLedger.recompute(inv, state, desired);
        assertThat(plan.before()).isEqualTo(recount.cluster());
        recount.apply(plan);
        assertThat(plan.after()).isEqualTo(recount.cluster());
        assertThat(plan.actions()).extracting(Action::kind).contains(ActionKind.MOVE, ActionKind.EXTEND);
    }

    private static Map<String, Object> freeLists(Workspace ws) {
        Map<String, Object> out = new TreeMap<>();
        for (DriveSpace d : ws.drives) {
            out.put(d.serial, List.of(d.freeExtents(), d.allocated(), d.largestFree(), d.ratio()));
        }
        return out;
    }

    /** The free lists as the workspace made them before: one reserve per recorded extent, then per held one. */
    private static Map<String, Object> oneByOne(Inventory inv, Allocations state) {
        Map<String, DriveSpace> bySerial = new TreeMap<>();
        int t = 0;
        for (Target target : inv.targets()) {
            for (Drive d : target.drives()) {
                bySerial.put(d.serial(), new DriveSpace(bySerial.size(), target, d, t, true));
            }
            t++;
        }
        for (VolumeAllocation v : state.volumes()) {
            for (Extent e : v.extents()) {
                DriveSpace d = bySerial.get(e.serial());
                if (d != null && !d.reserve(e.offset(), e.length())) {
                    throw new IllegalStateException("recorded state is inconsistent: extent " + e + " of volume "
                            + v.volume() + " overlaps another or lies outside its drive (run nvmesh fsck)");
                }
            }
        }
        for (Extent e : state.held()) {
            DriveSpace d = bySerial.get(e.serial());
            if (d != null && !d.reserve(e.offset(), e.length())) {
                throw new IllegalStateException("recorded state is inconsistent: held extent " + e
                        + " overlaps another or lies outside its drive (run nvmesh fsck)");
            }
        }
        Map<String, Object> out = new TreeMap<>();
        bySerial.forEach((serial, d) -> out.put(serial, List.of(d.freeExtents(), d.allocated(), d.largestFree(),
                d.ratio())));
        return out;
    }

    private static Inventory without(Inventory inv, String serial) {
        return new Inventory(inv.targets().stream().map(t -> new Target(t.id(), t.labels(), t.health(),
                t.drives().stream().filter(d -> !d.serial().equals(serial)).toList(), t.managed())).toList(),
                inv.clients());
    }
}
