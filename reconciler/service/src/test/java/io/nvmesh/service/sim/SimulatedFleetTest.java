package io.nvmesh.service.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.allocation.Target;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class SimulatedFleetTest {

    private static Inventory fleet(long seed) {
        return SimulatedFleet.create(new SimulatedFleet.Spec(48, 8, 32, seed)).inventory();
    }

    @Test
    void aFleetShapedLikeAnInventoryFileHasExactlyItsMachines() throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Path.of("../../samples/inventory/fleet.yaml");
        Inventory samples = io.nvmesh.core.inventory.InventoryFile.parse(file.toString(),
                java.nio.file.Files.readAllBytes(file)).inventory().orElseThrow();
        try (SimulatedFleet fleet = SimulatedFleet.of(samples, 1)) {
            assertThat(fleet.inventory()).isEqualTo(samples);
        }
    }

    @Test
    void theSameSeedGivesTheSameFleetAndAnotherSeedAnotherOne() {
        assertThat(fleet(1)).isEqualTo(fleet(1));
        assertThat(fleet(2)).isNotEqualTo(fleet(1));
    }

    @Test
    void drivesHaveUniqueVendorShapedSerialsAndIdemaCapacities() {
        Inventory inv = fleet(1);
        Set<Long> sold = Set.of(3_840L, 7_680L, 15_360L, 30_720L).stream()
                .map(gb -> (97_696_368L + 1_953_504L * (gb - 50)) * 512).collect(Collectors.toSet());
        long drives = inv.targets().stream().mapToLong(t -> t.drives().size()).sum();
        assertThat(drives).isEqualTo(48 * 8);
        for (Target t : inv.targets()) {
            assertThat(t.drives().stream().map(d -> d.labels().get("model")).distinct())
                    .as("one model per target %s", t.id()).hasSize(1);
            for (Drive d : t.drives()) {
                assertThat(d.serial()).matches("S[0-9A-Z]{7}[0-9]{6}|[XY][0-9A-Z]{11}|22[0-9A-F]{10}|PHA[CD][0-9]{4}00(15|30)PGGN");
                assertThat(d.capacity()).isIn(sold);
                assertThat(d.labels().get("media")).isIn("tlc", "qlc");
                assertThat(d.labels().get("gen")).isIn("4", "5");
            }
        }
        // Inventory itself refuses a serial listed twice, so building it proves uniqueness.
        assertThat(DriveModel.idemaBytes(3840)).isEqualTo(3_840_755_982_336L);
        assertThat(DriveModel.idemaBytes(7680)).isEqualTo(7_681_501_126_656L);
    }

    @Test
    void targetsAreSpreadEvenlyOverZonesAndRacksOfFour() {
        Inventory inv = fleet(1);
        Map<String, Long> zones = inv.targets().stream()
                .collect(Collectors.groupingBy(t -> t.labels().get("zone"), Collectors.counting()));
        Map<String, Long> racks = inv.targets().stream()
                .collect(Collectors.groupingBy(t -> t.labels().get("rack"), Collectors.counting()));
        assertThat(zones).isEqualTo(Map.of("zone-a", 16L, "zone-b", 16L, "zone-c", 16L));
        assertThat(racks).hasSize(12).allSatisfy((rack, n) -> assertThat(n).isEqualTo(4L));
        inv.targets().forEach(t -> assertThat(t.labels().get("rack"))
                .startsWith("rack-" + t.labels().get("zone").substring(5)));
        assertThat(inv.clients()).hasSize(32);
    }

    @Test
    void aMovedDriveIsListedUnderItsNewTargetOnly() {
        SimulatedFleet f = SimulatedFleet.create(new SimulatedFleet.Spec(3, 2, 0, 5));
        Drive d = f.inventory().targets().get(0).drives().get(0);

        f.moveDrive(d.serial(), "t-003");

        Map<String, Target> byId = f.inventory().targets().stream()
                .collect(Collectors.toMap(Target::id, Function.identity()));
        assertThat(byId.get("t-001").drives()).doesNotContain(d).hasSize(1);
        assertThat(byId.get("t-003").drives()).contains(d).hasSize(3);
    }

    @Test
    void faultsNameUnknownNodesAndDrivesClearly() {
        SimulatedFleet f = SimulatedFleet.create(new SimulatedFleet.Spec(2, 1, 1, 5));

        assertThatThrownBy(() -> f.failDrive("NOPE")).hasMessage("no drive NOPE in the fleet");
        assertThatThrownBy(() -> f.stopTarget("t-009")).hasMessage("no node t-009 in the fleet");
        assertThatThrownBy(() -> f.killClient("t-001")).hasMessage("t-001 is not a client");
        assertThatThrownBy(() -> f.stopTarget("t-001")).hasMessage("the fleet is not connected");
    }
}
