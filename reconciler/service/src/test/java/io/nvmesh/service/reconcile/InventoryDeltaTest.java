package io.nvmesh.service.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Client;
import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.TargetHealth;
import io.nvmesh.service.nodes.InventoryChange;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class InventoryDeltaTest {

    private static final Drive A = Drive.of("SER-A", 4L << 40);
    private static final Drive B = Drive.of("SER-B", 4L << 40);

    private static Inventory twoTargets() {
        return InventoryDelta.apply(new Inventory(List.of(), List.of()), List.of(
                new InventoryChange.TargetSeen(Target.of("t-1", Map.of(), List.of(A))),
                new InventoryChange.TargetSeen(Target.of("t-2", Map.of(), List.of(B))),
                new InventoryChange.ClientSeen(new Client("c-1", Map.of()))));
    }

    @Test
    void recordsTargetsAndClientsSeenForTheFirstTime() {
        Inventory i = twoTargets();
        assertThat(i.targets()).extracting(Target::id).containsExactly("t-1", "t-2");
        assertThat(i.clients()).extracting(Client::id).containsExactly("c-1");
    }

    @Test
    void followsADriveMovedBetweenTargetsWhicheverBatchLandsFirst() {
        // The new target's owner records the arrival before the old target's owner records the loss.
        Inventory arrived = InventoryDelta.apply(twoTargets(), List.of(new InventoryChange.DriveAdded("t-2", A)));
        assertThat(arrived.targetOf("SER-A")).map(Target::id).hasValue("t-2");
        assertThat(arrived.targets().get(0).drives()).isEmpty();
        Inventory thenMissing = InventoryDelta.apply(arrived,
                List.of(new InventoryChange.DriveMissing("t-1", "SER-A")));
        assertThat(thenMissing).isEqualTo(arrived);

        // And the other order.
        Inventory missing = InventoryDelta.apply(twoTargets(),
                List.of(new InventoryChange.DriveMissing("t-1", "SER-A")));
        assertThat(missing.drive("SER-A")).isEmpty();
        Inventory thenArrived = InventoryDelta.apply(missing, List.of(new InventoryChange.DriveAdded("t-2", A)));
        assertThat(thenArrived).isEqualTo(arrived);
    }

    @Test
    void recordsHealthChangesOfDrivesAndTargets() {
        Inventory i = InventoryDelta.apply(twoTargets(), List.of(
                new InventoryChange.DriveHealthChanged("t-1", "SER-A", DriveHealth.OK, DriveHealth.FAILED),
                new InventoryChange.TargetHealthChanged("t-2", TargetHealth.HEALTHY, TargetHealth.UNHEALTHY)));
        assertThat(i.drive("SER-A")).map(Drive::health).hasValue(DriveHealth.FAILED);
        assertThat(i.targets().get(1).health()).isEqualTo(TargetHealth.UNHEALTHY);
    }

    @Test
    void aTargetSeenAgainReplacesItsRecordAndClaimsItsSerials() {
        Inventory i = InventoryDelta.apply(twoTargets(), List.of(
                new InventoryChange.TargetSeen(Target.of("t-2", Map.of("rack", "r1"), List.of(A, B)))));
        assertThat(i.targetOf("SER-A")).map(Target::id).hasValue("t-2");
        assertThat(i.targets().get(1).labels()).containsEntry("rack", "r1");
    }
}
