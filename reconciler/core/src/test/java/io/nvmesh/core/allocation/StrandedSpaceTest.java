package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static io.nvmesh.core.allocation.Fleet.policy;
import static io.nvmesh.core.allocation.Fleet.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.VolumePolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
}
