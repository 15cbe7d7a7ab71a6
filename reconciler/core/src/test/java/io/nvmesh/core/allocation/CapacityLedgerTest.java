package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.LabelSelector;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
import io.nvmesh.schema.Protection;
import io.nvmesh.schema.Size;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapacityLedgerTest {

    private final Inventory inv = Fleet.inRacks(4, 2, 100, 2);
    private final DesiredState desired = new DesiredState(List.of(Fleet.policy("r1", Layout.RAID1)),
            List.of(new DriveClass(Metadata.named("all"), LabelSelector.EVERYTHING, List.of())), List.of(),
            List.of(Fleet.volume("v", "r1", 10)), List.of());

    @Test
    void countsDataAndRedundantBytesPerClusterRackTargetAndDriveClass() {
        Plan plan = Planner.plan(inv, Allocations.EMPTY, desired);
        CapacityLedger ledger = CapacityLedger.recompute(inv, Allocations.EMPTY, desired);
        ledger.apply(plan);

        assertThat(ledger.cluster()).isEqualTo(new Usage(800 * G, 780 * G, 10 * G, 10 * G, 0, 0));
        assertThat(ledger.domain("rack", "r1").allocated() + ledger.domain("rack", "r2").allocated())
                .isEqualTo(20 * G);
        assertThat(ledger.driveClass("all")).isEqualTo(ledger.cluster());
        assertThat(ledger.report().byTarget().values().stream().mapToLong(Usage::total).sum()).isEqualTo(800 * G);
    }

    @Test
    void failedDrivesGoOfflineAndCordonedFreeSpaceIsWithheld() {
        Allocations state = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        CapacityLedger ledger = CapacityLedger.recompute(inv, state, desired);
        String used = state.volume("v").orElseThrow().extents().get(0).serial();
        Inventory broken = Fleet.withDrive(inv, used, d -> d.withHealth(DriveHealth.FAILED));
        List<String> placed = state.volume("v").orElseThrow().extents().stream().map(Extent::serial).toList();
        String idle = inv.targets().stream().flatMap(t -> t.drives().stream()).map(Drive::serial)
                .filter(s -> !placed.contains(s)).findFirst().orElseThrow();
        DesiredState cordoned = desired.withDriveIntents(List.of(new DriveIntent(Metadata.named("c"), idle, true, false)));

        ledger.update(broken, cordoned);

        assertThat(ledger.cluster().offline()).isEqualTo(100 * G);
        assertThat(ledger.cluster().withheld()).isEqualTo(100 * G);
        assertThat(ledger.cluster().data() + ledger.cluster().redundant()).isEqualTo(10 * G);
        assertThat(ledger.report()).isEqualTo(CapacityLedger.recompute(broken, state, cordoned).report());
    }

    /**
     * NVMesh splits every segment of an erasure-coded group k:m, so each target holds k/(k+m) of its segment as data:
     * 4+2 with 1280 MiB segments (5 GiB of data) gives each of six targets 894,784,853 or 894,784,854 bytes of data,
     * and the remainder lands so that the targets add up to the cluster's 5 GiB exactly, as before.
     */
    @Test
    void erasureCodedTargetsHoldDataAndParityInProportionAndAddUpExactly() {
        Inventory six = Fleet.of(6, 1, 100);
        DesiredState ec = DesiredState.of(List.of(Fleet.policy("ec", Layout.ERASURE_CODING, 1, 0, 4, 2,
                Protection.FULL, null)), List.of(Fleet.volume("v", "ec", 5)));
        Plan plan = Planner.plan(six, Allocations.EMPTY, ec);
        Allocations state = Allocations.EMPTY.apply(plan);
        long length = state.volume("v").orElseThrow().chunks().get(0).groups().get(0).segmentLength();
        assertThat(length).isEqualTo(1280 * Size.MiB);

        CapacityReport report = CapacityLedger.recompute(six, state, ec).report();

        assertThat(report.cluster().data()).isEqualTo(5 * G);
        assertThat(report.cluster().redundant()).isEqualTo(5 * G / 2);
        assertThat(report.byTarget()).hasSize(6);
        for (Usage u : report.byTarget().values()) {
            assertThat(u.data()).isBetween(4 * length / 6, 4 * length / 6 + 1);
            assertThat(u.allocated()).isEqualTo(length);
        }
        assertThat(report.byTarget().values().stream().mapToLong(Usage::data).sum()).isEqualTo(5 * G);
        assertThat(report.byTarget().values().stream().mapToLong(Usage::redundant).sum()).isEqualTo(5 * G / 2);
        CapacityLedger ledger = CapacityLedger.recompute(six, Allocations.EMPTY, ec);
        ledger.apply(plan);
        assertThat(ledger.report()).as("a plan's deltas split as a recount does").isEqualTo(report);
        assertThat(plan.after()).isEqualTo(report.cluster());
    }

    @Test
    void aMovedErasureCodedSegmentTakesItsShareOfDataAlong() {
        Inventory seven = Fleet.of(7, 1, 100);
        DesiredState ec = DesiredState.of(List.of(Fleet.policy("ec", Layout.ERASURE_CODING, 1, 0, 4, 2,
                Protection.FULL, null)), List.of(Fleet.volume("v", "ec", 5)));
        Allocations state = Allocations.EMPTY.apply(Planner.plan(seven, Allocations.EMPTY, ec));
        Group g = state.volume("v").orElseThrow().chunks().get(0).groups().get(0);
        String parity = g.segments().get(5).extent().serial();
        DesiredState evacuate = ec.withDriveIntents(List.of(new DriveIntent(Metadata.named("e"), parity, false,
                true)));
        CapacityLedger ledger = CapacityLedger.recompute(seven, state, evacuate);

        Plan move = Planner.plan(seven, state, evacuate);
        ledger.apply(move);

        assertThat(move.actions()).singleElement().extracting(a -> a.move().dataShare()).isEqualTo(g.dataShare(5));
        assertThat(ledger.report()).isEqualTo(CapacityLedger.recompute(seven, state.apply(move), evacuate).report());
        String to = move.actions().get(0).move().to().serial();
        assertThat(ledger.target(Fleet.targetOf(seven, new Extent(to, 0, Extent.ALIGNMENT))).data())
                .isEqualTo(g.dataShare(5)).isPositive();
    }

    @Test
    void extentsOnDrivesNotInTheInventoryCountOnceTheDriveAppears() {
        Allocations state = Allocations.EMPTY.apply(Planner.plan(inv, Allocations.EMPTY, desired));
        String used = state.volume("v").orElseThrow().extents().get(0).serial();
        Inventory without = Inventory.of(inv.targets().stream().map(t -> t.withDrives(
                t.drives().stream().filter(d -> !d.serial().equals(used)).toList())).toList());
        CapacityLedger ledger = CapacityLedger.recompute(without, state, desired);

        ledger.update(inv, desired);

        assertThat(ledger.report()).isEqualTo(CapacityLedger.recompute(inv, state, desired).report());
        assertThat(ledger.target(Fleet.targetOf(inv, new Extent(used, 0, Extent.ALIGNMENT))).allocated())
                .isGreaterThan(0);
    }
}
