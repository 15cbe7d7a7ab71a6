package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where greedy placement (largest free first, no look-ahead) gets stuck and the backtracking search does not. */
class LookaheadTest {

    /** Two big targets and a small one: greedy spends both big targets on the first two mirrors. */
    private static final Inventory THREE_BY_TWO = Inventory.of(List.of(
            Target.of("t1", Map.of(), List.of(Drive.of("t1-a", 1000 * G), Drive.of("t1-b", 1000 * G))),
            Target.of("t2", Map.of(), List.of(Drive.of("t2-a", 1000 * G), Drive.of("t2-b", 1000 * G))),
            Target.of("t3", Map.of(), List.of(Drive.of("t3-a", 600 * G), Drive.of("t3-b", 600 * G)))));

    @Test
    void greedyBaselineCannotPlaceRaid10OfWidth3OnThreeTargetsOfTwoDrives() {
        assertThat(GreedyBaseline.place(THREE_BY_TWO, 3, 2, 600 * G)).isNull();
    }

    @Test
    void plannerPlacesRaid10OfWidth3OnThreeTargetsOfTwoDrivesWithFullProtection() {
        var r10 = Fleet.policy("r10", Layout.RAID10, 3, 1, 0, 0, Protection.FULL, null);
        Plan plan = Planner.plan(THREE_BY_TWO, Allocations.EMPTY,
                DesiredState.of(List.of(r10), List.of(Fleet.volume("db", "r10", 1800))));

        assertThat(plan.unplaceable()).isEmpty();
        Allocations after = Allocations.EMPTY.apply(plan);
        VolumeAllocation v = after.volume("db").orElseThrow();
        assertThat(v.chunks()).singleElement().satisfies(c -> assertThat(c.groups()).hasSize(3));
        assertThat(new HashSet<>(v.extents().stream().map(Extent::serial).toList())).hasSize(6);
        assertThat(StateChecker.check(THREE_BY_TWO, after)).isEmpty();
    }
}
