package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.allocation.Target;
import io.nvmesh.core.allocation.VolumeAllocation;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.ServedExtent;
import io.nvmesh.core.record.ServedLayout;
import io.nvmesh.core.record.VolumeRecord;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.reconcile.Fsck;
import io.nvmesh.core.reconcile.HistoryCheck;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.agent.AgentMessage;
import io.nvmesh.service.agent.SegmentLayout;
import io.nvmesh.service.sim.SimulatedFleet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ack round trip behind volume statuses, with two real instances on one bare repository and a simulated fleet
 * whose targets hold their acks on command: a new volume is {@code initializing} until the targets holding its
 * segments acked serving them, a segment rebuilt after a drive failure keeps the volume {@code rebuilding} until its
 * new target acked it, and a removed volume stays {@code deleting}, its space still allocated, until every target that
 * served it acked a layout without it. The reconcilers poll every 2 s (the default); the Git hook and the events of the
 * round trip (status and served) make them act sooner.
 */
class VolumeStatusTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration BOUND = Duration.ofSeconds(45);
    private static final String VOLUME = StateFixtures.DB_01;

    @RegisterExtension
    final ClusterExtension cluster = StateFixtures.mirrorCluster(2, INTERVAL)
            .fleet(new SimulatedFleet.Spec(6, 4, 2, 5));

    private StateStore store;
    private SimulatedFleet fleet;

    @BeforeEach
    void start() {
        store = cluster.store();
        fleet = cluster.fleet();
        await().atMost(BOUND).untilAsserted(() -> {
            RecordedState s = recorded();
            assertThat(s.inventory().targets()).hasSize(6).allSatisfy(t -> {
                assertThat(t.managed()).as("%s was recorded from its agent's hello", t.id()).isTrue();
                assertThat(t.drives()).hasSize(4);
            });
            assertThat(s.inventory().clients()).hasSize(2);
            // Every target acked its first (empty) layout.
            assertThat(s.served()).hasSize(6);
        });
    }

    @Test
    void aVolumeIsInitializingUntilItsTargetsAckThenRebuildingAfterAFailureAndDeletingUntilReleased()
            throws Exception {
        // ---- initializing: placed, layouts sent, acks held --------------------------------------------------------
        fleet.holdAcks();
        StateFixtures.commitDesired(store, Changes.put("volumes/db-01.yaml", VOLUME.getBytes(StandardCharsets.UTF_8)));
        hook();
        await().atMost(BOUND).untilAsserted(() -> assertThat(status("db-01")).isEqualTo(VolumeStatus.INITIALIZING));
        VolumeAllocation placed = recorded().volumes().get("db-01").allocation().orElseThrow();
        Set<String> holders = holders(recorded(), placed);
        await().atMost(BOUND).untilAsserted(() -> holders.forEach(t -> assertThat(segmentsSent(t, "db-01"))
                .as("layout sent to %s", t).isNotEmpty()));
        assertThat(http("/v1/volumes/db-01")).contains("\"status\":\"initializing\"", "not served yet");
        assertThat(http("/v1/inventory")).contains("\"managed\":true", "\"servedExtents\":0");
        assertThat(attachmentsSent("c-001")).as("no attachment while initializing").doesNotContain("db-01");
        assertThat(status("db-01")).as("still not acked").isEqualTo(VolumeStatus.INITIALIZING);

        long released = System.nanoTime();
        fleet.releaseAcks();
        await().atMost(BOUND).untilAsserted(() -> assertThat(status("db-01")).isEqualTo(VolumeStatus.ONLINE));
        System.out.printf("db-01 online %d ms after the held acks were released%n",
                (System.nanoTime() - released) / 1_000_000);
        RecordedState online = recorded();
        for (String t : holders) {
            assertThat(online.served().get(t).extents()).as("served by %s", t)
                    .containsAll(ServedExtent.of(placed).stream().filter(e -> on(online, t, e)).toList());
            ServedLayout l = online.served().get(t);
            assertThat(l.owner()).as("recorded by the owner of %s", t).isEqualTo(fleet.statuses().get(t).owner());
            assertThat(l.seq()).isPositive();
            assertThat(l.stateCommit()).as("the state commit the layout came from").isNotEmpty();
        }
        await().atMost(BOUND).untilAsserted(() -> assertThat(attachmentsSent("c-001")).as("attached once online")
                .contains("db-01"));
        assertThat(http("/v1/inventory")).contains("\"servedExtents\":1");

        // ---- rebuilding: a drive holding a segment fails, its segment moves, the new target's ack is held ---------
        fleet.holdAcks();
        String failed = placed.extents().get(0).serial();
        fleet.failDrive(failed);
        await().atMost(BOUND).untilAsserted(() -> {
            VolumeRecord r = recorded().volumes().get("db-01");
            assertThat(r.allocation().orElseThrow().extents()).extracting(Extent::serial).doesNotContain(failed);
            assertThat(r.status()).isEqualTo(VolumeStatus.REBUILDING);
        });
        fleet.releaseAcks();
        await().atMost(BOUND).untilAsserted(() -> assertThat(status("db-01")).isEqualTo(VolumeStatus.ONLINE));

        // ---- deleting: removed from desired, targets told to release it, acks held -----------------------------
        RecordedState before = recorded();
        VolumeAllocation kept = before.volumes().get("db-01").allocation().orElseThrow();
        Set<String> serving = holders(before, kept);
        fleet.holdAcks();
        StateFixtures.commitDesired(store, Changes.builder().delete("volumes/db-01.yaml").build());
        hook();
        await().atMost(BOUND).untilAsserted(() -> assertThat(status("db-01")).isEqualTo(VolumeStatus.DELETING));
        await().atMost(BOUND).untilAsserted(() -> serving.forEach(t -> assertThat(segmentsSent(t, "db-01"))
                .as("%s told to release db-01", t).isEmpty()));
        RecordedState deleting = recorded();
        assertThat(deleting.volumes().get("db-01").allocation()).as("its space stays allocated").contains(kept);
        assertThat(deleting.volumes().get("db-01").reason()).startsWith("deleting: waiting for ");
        assertThat(http("/v1/volumes")).contains("\"status\":\"deleting\"");
        hook();
        assertThat(status("db-01")).as("not freed while acks are held").isEqualTo(VolumeStatus.DELETING);

        fleet.releaseAcks();
        await().atMost(BOUND).untilAsserted(() -> assertThat(recorded().volumes()).doesNotContainKey("db-01"));
        RecordedState gone = recorded();
        assertThat(gone.served().values()).flatExtracting(ServedLayout::extents).extracting(ServedExtent::volume)
                .doesNotContain("db-01");
        assertThat(gone.allocations().volumes()).isEmpty();
        assertThat(Fsck.check(store, "main").errors()).isEmpty();
        assertThat(HistoryCheck.check(store, "main", "").findings()).extracting(HistoryCheck.Finding::render)
                .isEmpty();
    }

    /**
     * A concatenated volume whose only drive fails has nothing to be rebuilt from: it is recorded failed with its
     * allocation kept, and every view says so (the API with its reason, a status event, the counters, the metrics),
     * until the loss is accepted in Git and the group is recreated empty.
     */
    @Test
    void aVolumeWhoseOnlyDriveFailsIsFailedEverywhereUntilTheLossIsAcceptedInGit() throws Exception {
        String scratch = """
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata:
                  name: scratch
                spec:
                  layout: concatenated
                """;
        String cc = """
                apiVersion: nvmesh.io/v1
                kind: Volume
                metadata:
                  name: cc
                spec:
                  policy: scratch
                  capacity: 10GiB
                  deletionProtection: false
                """;
        StateFixtures.commitDesired(store, Changes.builder().put("policies/scratch.yaml", scratch)
                .put("volumes/cc.yaml", cc).build());
        hook();
        await().atMost(BOUND).untilAsserted(() -> assertThat(status("cc")).isEqualTo(VolumeStatus.ONLINE));
        VolumeAllocation placed = recorded().volumes().get("cc").allocation().orElseThrow();
        String serial = placed.extents().get(0).serial();

        try (SseClient events = SseClient.open(HttpClient.newHttpClient(), cluster.uri("r1"),
                "topic=volume/cc", TestCluster.READ)) {
            fleet.failDrive(serial);
            await().atMost(BOUND).untilAsserted(() -> assertThat(status("cc")).isEqualTo(VolumeStatus.FAILED));
            VolumeRecord failed = recorded().volumes().get("cc");
            assertThat(failed.allocation()).as("nothing rebuilt from nothing; its extent stays allocated")
                    .contains(placed);
            assertThat(failed.reason()).startsWith("data lost: chunk 0 group 0 has no surviving copy (drive "
                    + serial + " failed)").contains("nvmesh.io/accept-data-loss: " + serial + " to volume cc");
            assertThat(http("/v1/volumes/cc")).contains("\"status\":\"failed\"", "data lost: chunk 0 group 0");
            await().atMost(BOUND).untilAsserted(() -> assertThat(events.eventData())
                    .anyMatch(e -> e.contains("\"status\":\"failed\"") && e.contains("data lost")));
            await().atMost(BOUND).untilAsserted(() -> {
                assertThat(http("/v1/capacity")).containsPattern("\"volumes\":\\{[^}]*\"failed\":1[,}]");
                assertThat(send("GET", "r2", "/metrics", TestCluster.READ)).startsWith("200 ")
                        .containsPattern("nvmesh_volumes\\{status=\"failed\"} 1(\\.0)?\\n");
            });
        }

        StateFixtures.commitDesired(store, Changes.put("volumes/cc.yaml", cc.replace("  name: cc\n",
                "  name: cc\n  annotations:\n    nvmesh.io/accept-data-loss: " + serial + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        hook();
        await().atMost(BOUND).untilAsserted(() -> {
            VolumeRecord r = recorded().volumes().get("cc");
            assertThat(r.status()).isEqualTo(VolumeStatus.ONLINE);
            assertThat(r.allocation().orElseThrow().extents()).extracting(Extent::serial).doesNotContain(serial);
        });
        assertThat(Fsck.check(store, "main").errors()).isEmpty();
    }

    private RecordedState recorded() {
        return StateFixtures.recorded(store);
    }

    private VolumeStatus status(String volume) {
        VolumeRecord r = recorded().volumes().get(volume);
        return r == null ? null : r.status();
    }

    /** The targets that hold a segment of the allocation on a drive of theirs that is not failed. */
    private static Set<String> holders(RecordedState s, VolumeAllocation a) {
        Set<String> out = new TreeSet<>();
        for (Extent e : a.extents()) {
            s.inventory().targetOf(e.serial()).filter(t -> t.drives().stream()
                    .anyMatch(d -> d.serial().equals(e.serial()) && d.health().online())).map(Target::id)
                    .ifPresent(out::add);
        }
        return out;
    }

    private static boolean on(RecordedState s, String target, ServedExtent e) {
        return s.inventory().targetOf(e.serial()).map(t -> t.id().equals(target)).orElse(false);
    }

    private List<SegmentLayout> segmentsSent(String target, String volume) {
        Optional<AgentMessage.Command> c = fleet.lastCommand(target);
        return c.map(x -> x.segments().stream().filter(l -> l.volume().equals(volume)).toList()).orElse(List.of());
    }

    private List<String> attachmentsSent(String client) {
        return fleet.lastCommand(client).map(c -> c.attachments().stream().map(a -> a.volume()).toList())
                .orElse(List.of());
    }

    /** The Git hook on every instance, as {@code apply --wait} calls it. */
    private void hook() throws Exception {
        for (String id : List.of("r1", "r2")) {
            assertThat(send("POST", id, "/v1/hooks/git", TestCluster.ADMIN)).startsWith("202 ");
        }
    }

    private String http(String path) throws Exception {
        String r = send("GET", "r1", path, TestCluster.READ);
        assertThat(r).startsWith("200 ");
        return r;
    }

    private String send(String method, String instance, String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.uri(instance) + path))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }
}
