package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.counters.CounterWorld;
import io.nvmesh.service.counters.Counters;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three real instances on loopback, each with its Chronicle Map files in its own data folder, fed the deltas of
 * random changes while ownership moves under them (new partitions, an instance killed, restarted on its old files).
 * Every live instance's totals must equal the full recomputation within a second of the last change.
 */
class CountersClusterTest {

    /** After a change, or once membership agrees after a kill or restart. */
    private static final Duration SETTLE = Duration.ofSeconds(1);
    /**
     * After start-up: every instance first owns everything (it has heard no peer yet), takes over every partition and
     * hands most back once it hears the others; that churn is not a change and gets a longer bound.
     */
    private static final Duration START = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    TestCluster cluster;
    CounterWorld world;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void start(long seed, int targets) {
        world = CounterWorld.generate(targets, 4, 4, seed);
        world.createVolumes(targets);
        cluster = new TestCluster(3, Duration.ofMillis(50), 3, dir).startAll();
        cluster.running().forEach(this::wire);
        awaitLiveAgree(cluster.ids());
    }

    private void wire(ReconcilerNode node) {
        node.ownership().setKeys(world.keys());
        node.counters().contributeFrom(world);
    }

    private void broadcast(CounterWorld.Change change) {
        for (ReconcilerNode node : cluster.running()) {
            node.counters().apply(change.version(), change.deltas());
        }
        if (change.keysChanged()) {
            List<String> keys = world.keys();
            cluster.running().forEach(n -> n.ownership().setKeys(keys));
        }
    }

    private void awaitLiveAgree(List<String> live) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            for (ReconcilerNode n : cluster.running()) {
                assertThat(n.view().live()).as("live members seen by %s", n.id()).isEqualTo(live);
            }
        });
    }

    /** Every live instance's totals equal the recomputation, and the partitions are split between the instances. */
    private void awaitConverged(String after) {
        awaitConverged(after, SETTLE);
    }

    private void awaitConverged(String after, Duration bound) {
        Map<String, Long> expected = world.expectedTotals();
        var report = world.expectedReport();
        await(after).atMost(bound).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            Set<String> contributed = new TreeSet<>();
            int sum = 0;
            for (ReconcilerNode n : cluster.running()) {
                Counters c = n.counters();
                assertThat(StateFixtures.difference(expected, c.totals())).as("totals of %s after %s", n.id(), after)
                        .isEmpty();
                assertThat(c.capacity(true).report()).as("report of %s", n.id()).isEqualTo(report);
                contributed.addAll(c.contributing());
                sum += c.contributing().size();
            }
            assertThat(contributed).as("partitions contributed").containsExactlyInAnyOrderElementsOf(world.keys());
            assertThat(sum).as("partitions contributed twice").isEqualTo(contributed.size());
        });
    }

    @Test
    void everyInstanceMatchesTheFullRecomputationThroughRandomChangesAndHandovers() {
        start(21, 24);
        awaitConverged("start", START);
        Random random = new Random(21);
        for (int step = 1; step <= 60; step++) {
            CounterWorld.Change change = world.randomChange();
            broadcast(change);
            if (step % 20 == 7) {
                String victim = cluster.ids().get(random.nextInt(3));
                cluster.kill(victim);
                List<String> live = cluster.ids().stream().filter(id -> !id.equals(victim)).toList();
                awaitLiveAgree(live);
                awaitConverged("killing " + victim + " at step " + step);
                broadcast(world.randomChange());
                wire(cluster.start(victim));
                awaitLiveAgree(cluster.ids());
            }
            if (step % 10 == 0) {
                awaitConverged(change.what() + " at step " + step);
            }
        }
        awaitConverged("the last change");
    }

    @Test
    void aKilledOwnersShareIsTakenOverWithoutCountingTwice() {
        start(3, 12);
        awaitConverged("start", START);
        ReconcilerNode victim = cluster.node("r2");
        Set<String> itsPartitions = victim.counters().contributing();
        assertThat(itsPartitions).isNotEmpty();

        cluster.kill("r2");
        awaitLiveAgree(List.of("r1", "r3"));
        broadcast(world.createVolumes(3));

        awaitConverged("r2 killed");
        Set<String> takenOver = new TreeSet<>(cluster.node("r1").counters().contributing());
        takenOver.addAll(cluster.node("r3").counters().contributing());
        assertThat(takenOver).containsAll(itsPartitions);
    }

    @Test
    void aRestartedInstanceAnswersFromItsFileAndRejoins() {
        start(5, 12);
        awaitConverged("start", START);
        cluster.kill("r3");
        awaitLiveAgree(List.of("r1", "r2"));
        broadcast(world.createVolumes(2));
        awaitConverged("r3 killed");

        ReconcilerNode back = cluster.start("r3");
        assertThat(back.counters().needsRebuild()).as("its file was closed cleanly").isFalse();
        assertThat(back.counters().totals()).as("totals as of its stop, from its file, before any peer speaks")
                .isNotEmpty();
        wire(back);
        awaitLiveAgree(cluster.ids());
        awaitConverged("r3 back");
    }

    @Test
    void anyInstanceAnswersTheCapacityQueryOverHttp() throws Exception {
        start(9, 8);
        awaitConverged("start", START);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        JsonMapper json = JsonMapper.builder().build();
        long expectedFree = world.expectedReport().cluster().free();
        for (ReconcilerNode n : cluster.running()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(n.url() + "/v1/capacity"))
                    .header("Authorization", "Bearer " + TestCluster.READ).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(r.body());
            assertThat(body.get("cluster").get("free").asLong()).isEqualTo(expectedFree);
            assertThat(body.get("servers").get("target").get("healthy").asLong()).isEqualTo(8);
            assertThat(body.get("domains").has("rack=r1")).isTrue();
            assertThat(body.get("targets").isEmpty()).isTrue();

            HttpResponse<String> peer = http.send(HttpRequest.newBuilder(URI.create(n.url()
                    + "/v1/peer/counters/digest")).header("Authorization", "Bearer " + TestCluster.READ).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(peer.statusCode()).as("a read token on a peer route").isEqualTo(403);
        }
    }
}
