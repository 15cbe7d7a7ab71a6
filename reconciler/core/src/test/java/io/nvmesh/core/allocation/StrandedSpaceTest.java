package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static io.nvmesh.core.allocation.Fleet.policy;
import static io.nvmesh.core.allocation.Fleet.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.VolumePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Splitting a volume longest chunk first can strand space that shorter chunks would use: four racks of one 10 GiB
 * drive hold 12 GiB of 3-copy rack-scoped data only as chunks that take each rack in turn.
 */
class StrandedSpaceTest {

    static final VolumePolicy THREE_RACKS = policy("r1x3", Layout.RAID1, 1, 2, 0, 0, Protection.FULL, "rack");
    /** Four targets, each alone in its rack, each with one drive of 10 GiB. */
    static final Inventory FOUR_RACKS = Fleet.of(4, 1, 10);

    @Test
    void shorterChunksPlaceWhatTheLongestChunkFirstStrands() {
        // Longest first: one chunk of 10 GiB on three racks, then 2 GiB with room in one rack only.
        Plan plan = Planner.plan(FOUR_RACKS, Allocations.EMPTY, DesiredState.of(List.of(THREE_RACKS),
                List.of(volume("v", "r1x3", 12))));

        assertThat(plan.unplaceable()).isEmpty();
        Allocations after = Allocations.EMPTY.apply(plan);
        assertThat(StateChecker.check(FOUR_RACKS, after)).isEmpty();
        VolumeAllocation v = after.volume("v").orElseThrow();
        assertThat(v.placedCapacity()).isGreaterThanOrEqualTo(12 * G);
        assertThat(v.chunks()).hasSizeGreaterThan(1).hasSizeLessThanOrEqualTo(Placement.MAX_CHUNKS);
        // 36 GiB of copies over four racks of 10 GiB: every rack gives 9 GiB, none more than 10.
        Map<String, Long> perRack = new HashMap<>();
        for (Extent e : v.extents()) {
            perRack.merge(Fleet.targetOf(FOUR_RACKS, e), e.length(), Long::sum);
        }
        assertThat(perRack).hasSize(4).allSatisfy((rack, bytes) -> assertThat(bytes).isEqualTo(9 * G));
    }

    @Test
    void aVolumeNoSplitCanPlaceKeepsTheFirstReasonAndChangesNothing() {
        // 14 GiB needs 42 GiB of copies; the racks have 40.
        Plan plan = Planner.plan(FOUR_RACKS, Allocations.EMPTY, DesiredState.of(List.of(THREE_RACKS),
                List.of(volume("v", "r1x3", 14))));

        assertThat(plan.actions()).hasSize(1);
        assertThat(plan.unplaceable()).singleElement().satisfies(a -> assertThat(a.reason()).isEqualTo(
                "cannot place volume v (raid1, 3 copies of 14 GiB): no drive has 14 GiB free (the largest free"
                        + " extent is 10 GiB); split into smaller chunks, only 10 GiB of 14 GiB fits"));
        assertThat(Allocations.EMPTY.apply(plan).volumes()).isEmpty();
    }

    @Test
    void extendingUsesTheSameShorterChunks() {
        DesiredState small = DesiredState.of(List.of(THREE_RACKS), List.of(volume("v", "r1x3", 4)));
        Allocations placed = Allocations.EMPTY.apply(Planner.plan(FOUR_RACKS, Allocations.EMPTY, small));

        Plan grow = Planner.plan(FOUR_RACKS, placed, DesiredState.of(List.of(THREE_RACKS),
                List.of(volume("v", "r1x3", 12))));

        assertThat(grow.unplaceable()).isEmpty();
        Allocations after = placed.apply(grow);
        assertThat(StateChecker.check(FOUR_RACKS, after)).isEmpty();
        assertThat(after.volume("v").orElseThrow().placedCapacity()).isGreaterThanOrEqualTo(12 * G);
    }

    /**
     * The relaxation that decides whether shorter chunks are worth trying must never rule out a volume the planner
     * can place: on random unequal fleets and streams of every kind of group, whatever the planner places needed no
     * more than {@link CandidatePool#room} said was left.
     */
    @Property(tries = 150)
    void roomIsNeverLessThanWhatThePlannerPlaces(
            @ForAll @IntRange(min = 2, max = 7) int targets,
            @ForAll @IntRange(min = 1, max = 4) int racks,
            @ForAll @IntRange(min = 0, max = 1000) int sizes,
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 1_000_000) Integer> stream) {
        List<VolumePolicy> policies = new ArrayList<>(AllocationProperties.POLICIES);
        policies.add(THREE_RACKS);
        Inventory inv = unequal(targets, racks, sizes);
        Allocations state = Allocations.EMPTY;
        List<io.nvmesh.schema.Volume> desired = new ArrayList<>();
        for (int x : stream) {
            VolumePolicy p = policies.get(x % policies.size());
            long gib = 1 + (x / policies.size()) % 30;
            desired.add(volume("v" + desired.size(), p.name(), gib));
            DesiredState want = DesiredState.of(policies, desired);
            Workspace ws = new Workspace(inv, state, want);
            Shape shape = Shape.of(p);
            int limit = Separation.limit(p.protection(), shape.groupSize(), shape.tolerance());
            double room = ws.pool(p).room(ws.level(p.domainScope()), (double) limit / shape.groupSize());
            Plan plan = Planner.plan(inv, state, want);
            if (!plan.unplaceable().isEmpty()) {
                desired.remove(desired.size() - 1);
                continue;
            }
            assertThat(room).as("room for %s of %d GiB", p.name(), gib)
                    .isGreaterThanOrEqualTo((double) gib * G * shape.groupSize() / shape.dataPerGroup());
            state = state.apply(plan);
            assertThat(StateChecker.check(inv, state)).isEmpty();
        }
    }

    /** Targets t01.. round robin over racks, each with 1-3 drives of 4-20 GiB drawn from {@code sizes}. */
    private static Inventory unequal(int targets, int racks, int sizes) {
        List<Target> ts = new ArrayList<>();
        for (int t = 1; t <= targets; t++) {
            String id = String.format("t%02d", t);
            List<Drive> ds = new ArrayList<>();
            for (int d = 1; d <= 1 + (sizes + t) % 3; d++) {
                ds.add(Drive.of(id + "-d" + d, (4 + (sizes * 7 + t * 5 + d * 3) % 17) * G));
            }
            ts.add(Target.of(id, Map.of("rack", "r" + ((t - 1) % racks + 1)), ds));
        }
        return Inventory.of(ts);
    }
}
