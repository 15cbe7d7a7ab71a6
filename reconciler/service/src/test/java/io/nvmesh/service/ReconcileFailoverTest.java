package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.FsckReport;
import io.nvmesh.core.reconcile.HistoryCheck;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.core.testing.Policies;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.api.PassResult;
import io.nvmesh.service.sim.SimulatedFleet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three real instances on loopback, each with its reconcile loop on one real bare repository, a simulated fleet of
 * 12 targets x 4 drives and 4 clients dialling them. One instance is killed without a word; the survivors take over
 * its nodes and its volumes.
 */
class ReconcileFailoverTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Author TEST = new Author("test", "test@example.com");

    @RegisterExtension
    final ClusterExtension cluster = ClusterExtension.of(3).heartbeat(INTERVAL, 3).reconciling(Duration.ofMillis(300))
            .desired(repo -> {
                repo.desired().put("policies.yaml", Policies.MIRROR).message("test: policies.yaml").commit();
                repo.desired().put("volumes/first.yaml", volumes("vol", 0, 20)).message("test: volumes/first.yaml")
                        .commit();
            })
            .fleet(new SimulatedFleet.Spec(12, 4, 4, 11));

    private StateStore store;
    private SimulatedFleet fleet;

    @BeforeEach
    void start() {
        store = cluster.store();
        fleet = cluster.fleet();
    }

    @Test
    void survivorsFinishTheVolumesOfAKilledInstanceWithoutAllocatingAnythingTwice() throws Exception {
        // Each instance records the nodes it owns, one commit per batch.
        await().atMost(BOUND).untilAsserted(() -> {
            RecordedState s = recorded();
            assertThat(s.inventory().targets()).hasSize(12);
            assertThat(s.inventory().clients()).hasSize(4);
            assertThat(s.inventory().targets()).allSatisfy(t -> assertThat(t.drives()).hasSize(4));
        });
        awaitOnline(20);
        RecordedState first = recorded();
        // Work was spread: every instance recorded at least one pass that placed something.
        for (ReconcilerNode n : cluster.nodes()) {
            assertThat(n.reconcile().orElseThrow().results()).extracting(PassResult::outcome).contains("recorded");
        }
        // Targets are told what to serve, clients what to attach.
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(fleet.targetIds()).anySatisfy(t -> assertThat(fleet.lastCommand(t))
                    .hasValueSatisfying(c -> assertThat(c.segments()).isNotEmpty()));
            assertThat(fleet.lastCommand("c-001")).hasValueSatisfying(c -> assertThat(c.attachments()).isNotEmpty());
        });

        Set<String> orphans = new HashSet<>();
        fleet.statuses().forEach((id, st) -> {
            if (st.owner().equals("r2")) {
                orphans.add(id);
            }
        });
        cluster.kill("r2");
        cluster.repo().desired().put("volumes/second.yaml", volumes("late", 0, 10))
                .message("test: volumes/second.yaml").commit();

        await().atMost(BOUND).untilAsserted(() -> {
            Map<String, AgentStatus> now = fleet.statuses();
            orphans.forEach(id -> assertThat(now.get(id).owner()).as(id).isIn("r1", "r3"));
            assertThat(now.values()).allSatisfy(s -> assertThat(s.state()).isEqualTo(AgentStatus.State.CONNECTED));
        });
        awaitOnline(30);

        RecordedState after = recorded();
        for (String v : first.volumes().keySet()) {
            // What was placed before the kill stays where it was: a new owner does not place it again.
            assertThat(after.volumes().get(v).allocation()).isEqualTo(first.volumes().get(v).allocation());
        }
        FsckReport fsck = Fsck.check(store, "main");
        assertThat(fsck.errors()).isEmpty();
        assertThat(HistoryCheck.check(store, "main", "").findings()).extracting(HistoryCheck.Finding::render)
                .isEmpty();
        assertThat(fsck.volumes()).isEqualTo(30);
        assertNoExtentUsedTwice(after);

        // Any survivor answers for the whole fleet from the state ref.
        assertThat(http("GET", "r3", "/v1/volumes", TestCluster.READ)).startsWith("200 ")
                .contains("\"count\":30", "\"name\":\"late-09\"");
        assertThat(http("GET", "r1", "/v1/volumes/late-00", TestCluster.READ)).startsWith("200 ")
                .contains("\"status\":\"online\"", "\"segments\":[{");
        assertThat(http("GET", "r1", "/v1/volumes/nope", TestCluster.READ)).startsWith("404 ");
        assertThat(http("GET", "r1", "/v1/inventory", TestCluster.READ)).startsWith("200 ").contains("\"c-004\"");
        assertThat(http("GET", "r1", "/v1/reconcile/results", TestCluster.READ)).startsWith("200 ")
                .contains("\"outcome\":\"recorded\"");
        assertThat(http("POST", "r1", "/v1/hooks/git", TestCluster.READ)).startsWith("403 ");
        assertThat(http("POST", "r1", "/v1/hooks/git", TestCluster.ADMIN)).startsWith("202 ");
    }

    private String http(String method, String instance, String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.uri(instance) + path))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void aFailedDriveReportedByItsAgentIsRecordedAndItsSegmentsAreRebuiltElsewhere() {
        awaitOnline(20);
        RecordedState before = recorded();
        String serial = before.volumes().values().stream().flatMap(v -> v.allocation().stream())
                .flatMap(a -> a.extents().stream()).map(Extent::serial).findFirst().orElseThrow();

        fleet.failDrive(serial);

        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            RecordedState s = recorded();
            assertThat(s.inventory().drive(serial)).hasValueSatisfying(d -> assertThat(d.health())
                    .isEqualTo(io.nvmesh.core.allocation.DriveHealth.FAILED));
            assertThat(s.volumes().values()).allSatisfy(v -> {
                assertThat(v.status()).as(v.name()).isEqualTo(VolumeStatus.ONLINE);
                assertThat(v.allocation().orElseThrow().extents()).noneMatch(e -> e.serial().equals(serial));
            });
        });
        assertThat(Fsck.check(store, "main").errors()).isEmpty();
        assertThat(HistoryCheck.check(store, "main", "").findings()).extracting(HistoryCheck.Finding::render)
                .isEmpty();
        assertNoExtentUsedTwice(recorded());
    }

    @Test
    void aDriveMovedToAnotherTargetIsRecordedThereOnlyAndItsVolumesStayOnline() {
        awaitOnline(20);
        RecordedState before = recorded();
        String serial = before.volumes().values().stream().flatMap(v -> v.allocation().stream())
                .flatMap(a -> a.extents().stream()).map(Extent::serial).findFirst().orElseThrow();
        String from = before.inventory().targetOf(serial).orElseThrow().id();
        String fromOwner = fleet.statuses().get(from).owner();
        // A target in the same rack (the volume's separation still holds), held by another instance if there is one.
        String rack = before.inventory().targetOf(serial).orElseThrow().labels().get("rack");
        String to = before.inventory().targets().stream()
                .filter(t -> !t.id().equals(from) && rack.equals(t.labels().get("rack")))
                .map(io.nvmesh.core.allocation.Target::id)
                .filter(t -> !fleet.statuses().get(t).owner().equals(fromOwner)).findFirst()
                .orElseGet(() -> before.inventory().targets().stream()
                        .filter(t -> !t.id().equals(from) && rack.equals(t.labels().get("rack")))
                        .map(io.nvmesh.core.allocation.Target::id).findFirst().orElseThrow());

        fleet.moveDrive(serial, to);

        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            RecordedState s = recorded();
            assertThat(s.inventory().targetOf(serial)).map(io.nvmesh.core.allocation.Target::id).hasValue(to);
            assertThat(s.volumes().values()).allSatisfy(v -> assertThat(v.status()).as(v.name())
                    .isEqualTo(VolumeStatus.ONLINE));
        });
        assertThat(Fsck.check(store, "main").errors()).isEmpty();
        assertThat(HistoryCheck.check(store, "main", "").findings()).extracting(HistoryCheck.Finding::render)
                .isEmpty();
    }

    private void awaitOnline(int count) {
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            RecordedState s = recorded();
            assertThat(s.volumes().values()).hasSize(count)
                    .allSatisfy(v -> assertThat(v.status()).as(v.name() + ": " + v.reason())
                            .isEqualTo(VolumeStatus.ONLINE));
        });
    }

    private static void assertNoExtentUsedTwice(RecordedState state) {
        Map<String, List<Extent>> bySerial = new java.util.HashMap<>();
        for (VolumeRecord r : state.volumes().values()) {
            Optional<VolumeAllocation> a = r.allocation();
            a.ifPresent(v -> v.extents().forEach(e -> bySerial.computeIfAbsent(e.serial(),
                    k -> new java.util.ArrayList<>()).add(e)));
        }
        bySerial.forEach((serial, extents) -> {
            for (int i = 0; i < extents.size(); i++) {
                for (int j = i + 1; j < extents.size(); j++) {
                    assertThat(extents.get(i).overlaps(extents.get(j)))
                            .as("%s and %s", extents.get(i), extents.get(j)).isFalse();
                }
            }
        });
    }

    private RecordedState recorded() {
        return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
    }

    private static String volumes(String prefix, int from, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            if (sb.length() > 0) {
                sb.append("---\n");
            }
            sb.append("apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: ").append(String.format("%s-%02d",
                    prefix, i)).append("\nspec:\n  policy: mirror\n  capacity: 100GiB\n  clients: [c-00")
                    .append(1 + i % 4).append("]\n  deletionProtection: false\n");
        }
        return sb.toString();
    }
}
