package io.nvmesh.service.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.DriveHealth;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChangeBatcherTest {

    private static final Drive D = Drive.of("S6EUNS0W000001", 3_840_755_982_336L);

    @Test
    void aSerialMissingOnOneTargetAndAddedOnAnotherIsOneMoveInEitherOrder() {
        var missing = new InventoryChange.DriveMissing("t-001", D.serial());
        var added = new InventoryChange.DriveAdded("t-002", D);
        var move = new InventoryChange.DriveMoved("t-002", D.serial(), "t-001", D);

        assertThat(ChangeBatcher.coalesce(List.of(missing, added))).containsExactly(move);
        assertThat(ChangeBatcher.coalesce(List.of(added, missing))).containsExactly(move);
    }

    @Test
    void otherChangesPassUnchangedAndInOrder() {
        var failed = new InventoryChange.DriveHealthChanged("t-001", "A", DriveHealth.OK, DriveHealth.FAILED);
        var missing = new InventoryChange.DriveMissing("t-003", "B");
        var added = new InventoryChange.DriveAdded("t-003", D);

        assertThat(ChangeBatcher.coalesce(List.of(failed, missing, added))).containsExactly(failed, missing, added);
    }
}
