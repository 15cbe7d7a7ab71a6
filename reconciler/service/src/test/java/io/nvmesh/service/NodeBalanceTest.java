package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Inventory;
import io.nvmesh.core.inventory.InventoryFile;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.cluster.Ownership;
import io.nvmesh.service.cluster.OwnershipRing;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes are shared with bounded loads, not only volumes. The sample fleet's 20 targets go 13 / 3 / 4 to their
 * rendezvous-preferred instances (checked below, so the test keeps its point); once recorded they are ownership keys,
 * and every instance must agree on owners that keep each instance at or under {@code ceil(1.25 × 20 / 3) = 9}. The
 * poll is 10 minutes: instances learn of each other's inventory commits from {@code state} events only.
 */
class NodeBalanceTest {

    private static final Duration BOUND = Duration.ofSeconds(60);
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();

    @TempDir
    Path data;

    @Test
    void recordedNodesAreSharedWithBoundedLoadsAndEveryAgentIsHeldByItsOwner() throws IOException {
        Path file = SAMPLES.resolve("inventory/fleet.yaml");
        Inventory shape = InventoryFile.parse(file.toString(), Files.readAllBytes(file)).inventory().orElseThrow();
        OwnershipRing ring = OwnershipRing.of(List.of("r1", "r2", "r3"), 0.25);
        int cap = ring.capacity(shape.targets().size());
        Map<String, Integer> preferred = new HashMap<>();
        shape.targets().forEach(t -> preferred.merge(ring.preferredOwner("target/" + t.id()), 1, Integer::sum));
        assertThat(preferred.values()).as("the sample fleet unbalanced by preference alone").anyMatch(n -> n > cap);

        Path repo = data.resolve("state.git");
        try (StateStore store = StateStore.openOrCreate(repo);
             TestCluster cluster = new TestCluster(3, Duration.ofMillis(200), 3, data, repo.toString(),
                     Duration.ofMinutes(10)).startAll();
             AgentRuntime runtime = AgentRuntime.start("balance-test");
             SimulatedFleet fleet = SimulatedFleet.of(shape, 7)) {
            await().atMost(BOUND).until(() -> cluster.running().stream()
                    .allMatch(n -> n.view().live().equals(List.of("r1", "r2", "r3"))));
            fleet.connect(runtime, cluster.urls(), TestCluster.AGENT);
            await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).until(() ->
                    StateFiles.decode(store.read(StateStore.STATE_REF)).state().inventory().targets().size()
                            == shape.targets().size());
            await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(cluster.nodesHeldByTheirOwners(fleet)).isTrue();
                Map<String, Integer> held = new HashMap<>();
                fleet.targetIds().forEach(id -> held.merge(fleet.statuses().get(id).owner(), 1, Integer::sum));
                assertThat(held.values()).as("targets held per instance %s, cap %d", held, cap)
                        .allMatch(n -> n <= cap);
                for (ReconcilerNode n : cluster.running()) {
                    Ownership o = n.ownership().current();
                    assertThat(o.countsBySpace().get("target")).as(n.id()).isEqualTo(held);
                }
            });
        }
    }
}
