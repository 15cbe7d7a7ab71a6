package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Extent;
import io.nvmesh.core.record.RecordedState;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.StateStore;
import io.nvmesh.service.sim.SimulatedFleet;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the service publishes, heard through the real SSE endpoint of one instance while the change happens on a node
 * or volume another instance owns: three instances with reconcile loops on one bare repository and a small simulated
 * fleet. Latencies are printed (they are not asserted: the build machine is shared).
 */
class PublishedEventsTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration BOUND = Duration.ofSeconds(30);

    @RegisterExtension
    final ClusterExtension cluster = ClusterExtension.of(3).heartbeat(INTERVAL, 3).reconciling(Duration.ofMillis(300))
            .desired(repo -> {
                repo.desired().put("policies.yaml", StateFixtures.MIRROR_POLICY).commit();
                repo.desired().put("volumes/a.yaml", volume("first")).commit();
            })
            .fleet(new SimulatedFleet.Spec(6, 3, 2, 5));

    private StateStore store;
    private SimulatedFleet fleet;
    private HttpClient http;
    private final List<SseClient> streams = new ArrayList<>();

    @BeforeEach
    void start() {
        store = cluster.store();
        fleet = cluster.fleet();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            RecordedState s = StateFixtures.recorded(store);
            assertThat(s.inventory().targets()).hasSize(6);
            assertThat(s.volumes().get("first")).isNotNull()
                    .satisfies(v -> assertThat(v.status()).isEqualTo(VolumeStatus.ONLINE));
        });
        // Wait until every instance agrees on every node's owner and its agent is connected there (an agent that
        // dialled an instance before all were alive may still be moving).
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).until(() -> cluster.nodesHeldByTheirOwners());
    }

    @AfterEach
    void stop() {
        streams.forEach(SseClient::close);
    }

    @Test
    void aFailedDriveIsHeardAsDriveAndTargetHealthOnAnInstanceThatDoesNotOwnItsTarget() {
        RecordedState state = StateFixtures.recorded(store);
        String serial = state.volumes().get("first").allocation().orElseThrow().extents().stream()
                .map(Extent::serial).findFirst().orElseThrow();
        String target = state.inventory().targetOf(serial).orElseThrow().id();
        String owner = fleet.statuses().get(target).owner();
        String listener = other(owner);
        SseClient events = subscribe(listener, "topic=drive/" + serial + "&topic=target/" + target);
        awaitInterest(listener, "drive/" + serial);

        long start = System.nanoTime();
        fleet.failDrive(serial);

        await().atMost(BOUND).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            assertThat(events.eventData()).anySatisfy(d -> assertThat(d).contains("\"topic\":\"drive/" + serial + "\"",
                    "\"type\":\"health\"", "\"origin\":\"" + owner + "\"", "\"serial\":\"" + serial + "\"",
                    "\"target\":\"" + target + "\"", "\"health\":\"failed\""));
            assertThat(events.eventData()).anySatisfy(d -> assertThat(d).contains("\"topic\":\"target/" + target
                    + "\"", "\"type\":\"health\"", "\"connected\":true", "\"owner\":\"" + owner + "\"",
                    "{\"serial\":\"" + serial + "\",\"health\":\"failed\"}"));
        });
        System.out.printf("drive failed on %s (owner %s), heard on %s after %d ms%n", target, owner, listener,
                (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void aNewVolumeIsHeardOnlineOnAnInstanceThatDoesNotPlaceIt() {
        String name = "second";
        String owner = cluster.node("r1").reconcile().orElseThrow().ownerOf(name);
        String listener = other(owner);
        SseClient events = subscribe(listener, "topic=volume/*");
        awaitInterest(listener, "volume/" + name);

        cluster.repo().desired().put("volumes/b.yaml", volume(name)).commit();

        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(events.eventData()).anySatisfy(d -> assertThat(d).contains(
                        "\"topic\":\"volume/" + name + "\"", "\"type\":\"status\"", "\"origin\":\"" + owner + "\"",
                        "\"volume\":\"" + name + "\"", "\"status\":\"online\"", "\"reason\":",
                        "\"stateCommit\":\"")));

        // Deleted from desired: its owner says so too.
        StateFixtures.commitDesired(store, Changes.builder().delete("volumes/b.yaml").build());
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(events.eventData()).anySatisfy(d -> assertThat(d).contains(
                        "\"topic\":\"volume/" + name + "\"", "\"status\":\"deleted\"")));
    }

    @Test
    void aResetCarriesTheCurrentStatusOfTheVolume() {
        // An event buffered on r2 for the topic (any will do), then a consumer resuming from before it: the stream
        // starts with a reset whose snapshot comes from the hook. The hook answers from the state r2 has observed,
        // which may lag the commit the set-up saw by a poll of r2's loop (under load, "first" was still pending there).
        await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(cluster.node("r2").feeds().state().orElseThrow().volumeSnapshot("first").status())
                        .isEqualTo("online"));
        subscribe("r2", "topic=volume/first");
        cluster.node("r2").events().publish("volume/first", "probe", java.util.Map.of());
        SseClient events = subscribe("r2", "topic=volume/first&since=1");
        await().atMost(BOUND).untilAsserted(() -> assertThat(events.named("reset")).singleElement().asString()
                .contains("\"topic\":\"volume/first\"", "\"snapshot\":{\"volume\":\"first\",\"status\":\"online\""));
    }

    @Test
    void aKilledClientIsHeardLostAndCapacityAndClusterTotalsArePublished() {
        String client = "c-002";
        String owner = fleet.statuses().get(client).owner();
        String listener = other(owner);
        SseClient events = subscribe(listener, "topic=client/" + client + "&topic=capacity&topic=cluster");
        awaitInterest(listener, "client/" + client);

        fleet.killClient(client);

        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(events.eventData()).anySatisfy(d -> assertThat(d).contains(
                        "\"topic\":\"client/" + client + "\"", "\"type\":\"state\"",
                        "{\"client\":\"" + client + "\",\"state\":\"lost\",\"owner\":\"" + owner + "\"}")));
        // The client's owner counts it lost: every instance's capacity totals say so, coalesced.
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(events.eventData()).anySatisfy(d -> assertThat(d).contains("\"topic\":\"capacity\"",
                        "\"type\":\"totals\"", "\"client\":{", "\"lost\":1", "\"cluster\":{\"total\":")));

        cluster.kill(owner);
        String survivors = String.join(",", cluster.ids().stream().filter(id -> !id.equals(owner))
                .map(id -> "\"" + id + "\"").toList());
        await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(events.eventData()).anySatisfy(d -> assertThat(d).contains("\"topic\":\"cluster\"",
                        "\"type\":\"members\"", "\"live\":[" + survivors + "]", "\"ownership\":{")));
    }

    private String other(String owner) {
        return cluster.ids().stream().filter(id -> !id.equals(owner)).findFirst().orElseThrow();
    }

    private SseClient subscribe(String on, String query) {
        SseClient c = SseClient.open(http, cluster.uri(on), query, TestCluster.READ);
        streams.add(c);
        await().atMost(BOUND).until(c::subscribed);
        return c;
    }

    /** Waits until every other instance routes {@code topic} to {@code on}. */
    private void awaitInterest(String on, String topic) {
        await().atMost(BOUND).until(() -> cluster.nodes().stream().filter(n -> !n.id().equals(on))
                .allMatch(n -> n.events().peerWants(on, topic)));
    }

    private static String volume(String name) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name
                + "\nspec:\n  policy: mirror\n  capacity: 100GiB\n  clients: [c-001]\n  deletionProtection: false\n";
    }
}
