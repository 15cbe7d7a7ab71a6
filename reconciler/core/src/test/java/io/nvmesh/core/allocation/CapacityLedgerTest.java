package io.nvmesh.core.allocation;

import static io.nvmesh.core.allocation.Fleet.G;
import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.DriveClass;
import io.nvmesh.schema.DriveIntent;
import io.nvmesh.schema.LabelSelector;
import io.nvmesh.schema.Layout;
import io.nvmesh.schema.Metadata;
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
