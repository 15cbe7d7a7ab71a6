package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static io.nvmesh.core.allocation.Fleet.policy;
import static io.nvmesh.core.allocation.Fleet.volume;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.VolumePolicy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A stripe width asks for that many drives working in parallel: the stripes (groups) of a chunk get drives of their
 * own, a fleet that cannot give them is refused with the reason, and only {@code allowSharedDrives} lets stripes share.
 */
class StripeSeparationTest {

    private static final String HINT = "; to place it on shared drives anyway, set allowSharedDrives: true in policy p";

    @Test
    void raid0OnOneDriveIsRefusedWithTheReason() {
        Plan plan = plan(policy("p", Layout.RAID0), Fleet.of(1, 1, 100));

        assertThat(plan.unplaceable()).singleElement().extracting(Action::reason).isEqualTo(
                "cannot place volume v (raid0, 2 stripes of 4 GiB): stripe width 2 needs 2 distinct drives per chunk,"
                        + " the fleet offers 1 drive" + HINT);
        assertThat(plan.after()).isEqualTo(plan.before());
    }

    @Test
    void raid10OnTwoTargetsOfOneDriveIsRefusedWithTheReason() {
        Plan plan = plan(policy("p", Layout.RAID10), Fleet.of(2, 1, 100));

        assertThat(plan.unplaceable()).singleElement().extracting(Action::reason).isEqualTo(
                "cannot place volume v (raid10, 2 stripes × 2 copies of 4 GiB): stripe width 2 needs 4 distinct drives"
                        + " per chunk (2 per stripe), the fleet offers 2 drives" + HINT);
    }

    @Test
    void stripedErasureCodingOnTenDrivesIsRefusedWithTheReason() {
        Plan plan = plan(policy("p", Layout.STRIPED_ERASURE_CODING), Fleet.of(10, 1, 100));

        assertThat(plan.unplaceable()).singleElement().extracting(Action::reason).isEqualTo(
                "cannot place volume v (striped-erasure-coding 8+2, 2 stripes × 10 segments of 512 MiB): stripe width"
                        + " 2 needs 20 distinct drives per chunk (10 per stripe), the fleet offers 10 drives" + HINT);
    }

    @Test
    void drivesWithoutTheSpaceDoNotCount() {
        Inventory inv = Inventory.of(List.of(Target.of("t01", java.util.Map.of(), List.of(Drive.of("a", 100 * G),
                Drive.of("b", 2 * G)))));

        Plan plan = plan(policy("p", Layout.RAID0), inv);

        assertThat(plan.unplaceable()).singleElement().extracting(Action::reason).asString().contains(
                "stripe width 2 needs 2 distinct drives per chunk, only 1 drive has 4 GiB free" + HINT);
    }

    @Test
    void eachStripeOfAChunkGetsDrivesOfItsOwn() {
        Inventory inv = Fleet.of(2, 2, 100);
        Plan plan = plan(policy("p", Layout.RAID10), inv);

        assertThat(plan.unplaceable()).isEmpty();
        Chunk chunk = Allocations.EMPTY.apply(plan).volume("v").orElseThrow().chunks().get(0);
        assertThat(drives(chunk.groups().get(0))).doesNotContainAnyElementsOf(drives(chunk.groups().get(1)));
    }

    @Test
    void allowSharedDrivesPlacesStripesOnOneDriveAndFsckCanTellWhy() {
        VolumePolicy shared = policy("p", Layout.RAID0, 2, 0, 0, 0, Protection.FULL, null, true);
        Plan plan = plan(shared, Fleet.of(1, 1, 100));

        assertThat(plan.unplaceable()).isEmpty();
        VolumeAllocation v = Allocations.EMPTY.apply(plan).volume("v").orElseThrow();
        assertThat(StripeSharing.shared(v)).containsExactly(new StripeSharing.SharedDrive(0, "t01-d1", List.of(0, 1)));
    }

    @Test
    void stripesThatAlreadyShareADriveStayAndOnlyNewChunksAreKeptApart() {
        Inventory one = Fleet.of(1, 1, 100);
        VolumePolicy shared = policy("p", Layout.RAID0, 2, 0, 0, 0, Protection.FULL, null, true);
        Allocations before = Allocations.EMPTY.apply(plan(shared, one));
        VolumePolicy apart = policy("p", Layout.RAID0);

        Plan same = Planner.plan(one, before, DesiredState.of(List.of(apart), List.of(volume("v", "p", 8))));
        assertThat(same.actions()).as("an existing allocation does not move because the policy changed").isEmpty();

        Plan grow = Planner.plan(one, before, DesiredState.of(List.of(apart), List.of(volume("v", "p", 16))));
        assertThat(grow.unplaceable()).singleElement().extracting(Action::reason).asString()
                .startsWith("cannot extend volume v by 8 GiB").contains("stripe width 2 needs 2 distinct drives");

        Inventory two = Fleet.of(1, 2, 100);
        Allocations grown = before.apply(Planner.plan(two, before, DesiredState.of(List.of(apart),
                List.of(volume("v", "p", 16)))));
        VolumeAllocation v = grown.volume("v").orElseThrow();
        assertThat(v.chunks()).hasSize(2);
        assertThat(v.chunks().get(0)).isEqualTo(before.volume("v").orElseThrow().chunks().get(0));
        assertThat(StripeSharing.shared(v)).extracting(StripeSharing.SharedDrive::chunk).containsOnly(0);
    }

    private static Plan plan(VolumePolicy p, Inventory inv) {
        return Planner.plan(inv, Allocations.EMPTY, DesiredState.of(List.of(p), List.of(volume("v", "p", 8))));
    }

    private static Set<String> drives(Group g) {
        Set<String> out = new HashSet<>();
        g.segments().forEach(s -> out.add(s.extent().serial()));
        return out;
    }
}
