package io.nvmesh.service.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.TestCluster;
import io.nvmesh.service.counters.CounterEntry;
import io.nvmesh.service.counters.CounterFiles;
import io.nvmesh.service.counters.CounterWorld;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.counters.Stamp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The counter attacks of issue #14 replayed over HTTP against three real instances on loopback, with r2's real
 * instance token: entries of another contributor or a made-up one, a term of Long.MAX_VALUE, a partition that does
 * not exist, negative counts, a replayed old batch, a pull of another contributor's entries. Each is refused with its
 * problem, counted, and no instance's counters move from the recount. Then a counter file poisoned on disk heals when
 * its instance starts again, and says so.
 */
class CounterTrustTest {

    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private TestCluster cluster;
    private CounterWorld world;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        world = CounterWorld.generate(8, 3, 4, 14);
        world.createVolumes(8);
        cluster = new TestCluster(3, Duration.ofMillis(50), 3, dir).startAll();
        cluster.running().forEach(this::wire);
        awaitRecount("start");
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void wire(ReconcilerNode node) {
        node.ownership().setKeys(world.keys());
        node.counters().contributeFrom(world);
    }

    /** Every running instance's totals equal the recount, its capacity says consistent, and it owns its share. */
    private void awaitRecount(String after) {
        Map<String, Long> expected = world.expectedTotals();
        await(after).atMost(SETTLE).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            for (ReconcilerNode n : cluster.running()) {
                assertThat(n.counters().totals()).as("totals of %s after %s", n.id(), after).isEqualTo(expected);
                assertThat(n.counters().capacity(false).consistent()).as("%s consistent", n.id()).isTrue();
            }
        });
    }

    private static Map<String, Object> entry(String partition, String counter, long value, long term,
                                             String contributor, long epoch, long seq) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("partition", partition);
        e.put("counter", counter);
        e.put("value", value);
        e.put("term", term);
        e.put("contributor", contributor);
        e.put("epoch", epoch);
        e.put("seq", seq);
        return e;
    }

    private HttpResponse<String> push(String target, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.url(target) + "/v1/peer/counters"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String target, String token, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.url(target) + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String batch(String from, List<Map<String, Object>> entries) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("from", from);
        b.put("entries", entries);
        return new String(JSON.writeValueAsBytes(b), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String type, String what) {
        assertThat(r.statusCode()).as("%s: %s", what, r.body()).isEqualTo(status);
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.get("type").asString()).as(what).isEqualTo("urn:nvmesh:problem:" + type);
    }

    @Test
    void forgedCounterMessagesAreRefusedCountedAndChangeNoInstance() throws Exception {
        String r2 = TestAuth.instanceToken("r2");
        String target = world.keys().stream().filter(k -> k.startsWith("target/")).findFirst().orElseThrow();
        String id = target.substring("target/".length());
        long now = System.currentTimeMillis();
        Map<String, Long> before = cluster.node("r1").counters().totals();

        // Old entries of r2, replayed after they were superseded.
        List<Map<String, Object>> old = new ArrayList<>();
        for (int bucket = 0; bucket < 16; bucket++) {
            for (CounterEntry e : cluster.node("r2").counters().entriesOf("r2", bucket)) {
                old.add(entry(e.partition(), e.counter(), e.value(), e.stamp().term(), e.stamp().contributor(),
                        e.stamp().epoch(), e.stamp().seq()));
            }
        }
        assertThat(old).as("r2 contributes something").isNotEmpty();

        Map<String, HttpResponse<String>> attacks = new LinkedHashMap<>();
        attacks.put("another instance's entry", push("r1", r2, batch("r2", List.of(
                entry(target, "bytes/free/cluster", 0, 9, "r3", now, 1)))));
        attacks.put("a made-up contributor with term Long.MAX_VALUE", push("r1", r2, batch("r2", List.of(
                entry(target, "bytes/free/cluster", 0, Long.MAX_VALUE, "x", now, 1)))));
        attacks.put("a batch that says it is from r3", push("r1", r2, batch("r3", List.of(
                entry(target, "bytes/free/cluster", 0, 9, "r2", now, 1)))));
        attacks.put("its own entry with term Long.MAX_VALUE", push("r1", r2, batch("r2", List.of(
                entry(target, "bytes/free/cluster", 0, Long.MAX_VALUE, "r2", now, 1)))));
        attacks.put("a million online volumes", push("r1", r2, batch("r2", List.of(
                entry("volume/does-not-exist", "volumes/online", 1_000_000, 1, "r2", now, 1)))));
        attacks.put("a volume that does not exist", push("r1", r2, batch("r2", List.of(
                entry("volume/does-not-exist", "volumes/online", 1, 1, "r2", now, 1)))));
        attacks.put("a negative count", push("r1", r2, batch("r2", List.of(
                entry(target, "servers/target/healthy", -50, 1, "r2", now, 1)))));
        attacks.put("another target's bytes", push("r1", r2, batch("r2", List.of(
                entry(target, "bytes/free/target/not-" + id, 1L << 40, 1, "r2", now, 1)))));
        attacks.put("an epoch a year ahead", push("r1", r2, batch("r2", List.of(
                entry(target, "servers/target/healthy", 1, 1, "r2", now + 365L * 24 * 3600 * 1000, 1)))));
        attacks.put("a null body", push("r1", r2, "null"));

        assertProblem(attacks.get("another instance's entry"), 403, "not-your-id", "another instance's entry");
        assertProblem(attacks.get("a made-up contributor with term Long.MAX_VALUE"), 403, "not-your-id", "made up");
        assertProblem(attacks.get("a batch that says it is from r3"), 403, "not-your-id", "from r3");
        assertProblem(attacks.get("its own entry with term Long.MAX_VALUE"), 400, "invalid-counter-entry", "term");
        assertProblem(attacks.get("a million online volumes"), 400, "invalid-counter-entry", "a million");
        assertProblem(attacks.get("a volume that does not exist"), 409, "unknown-partition", "unknown volume");
        assertProblem(attacks.get("a negative count"), 400, "invalid-counter-entry", "negative");
        assertProblem(attacks.get("another target's bytes"), 400, "invalid-counter-entry", "another target");
        assertProblem(attacks.get("an epoch a year ahead"), 400, "invalid-counter-entry", "epoch");
        assertProblem(attacks.get("a null body"), 400, "bad-request", "null");

        assertProblem(get("r1", r2, "/v1/peer/counters?contributor=r3&bucket=0"), 403, "not-own-contribution",
                "a pull of r3's entries from r1");
        JsonNode digests = JSON.readTree(get("r1", r2, "/v1/peer/counters/digest").body()).get("digests");
        digests.forEach(d -> assertThat(d.get("contributor").asString()).as("r1's digest").isEqualTo("r1"));

        assertThat(cluster.node("r1").counters().totals()).as("r1 right after the attacks").isEqualTo(before);
        awaitRecount("the attacks");

        // A replay of r2's old entries once the state has moved on: accepted as nothing new.
        CounterWorld.Change change = world.createVolumes(2);
        cluster.running().forEach(n -> n.counters().apply(change.version(), change.deltas()));
        cluster.running().forEach(n -> n.ownership().setKeys(world.keys()));
        awaitRecount("a change");
        HttpResponse<String> replay = push("r1", r2, batch("r2", old));
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(JSON.readTree(replay.body()).get("accepted").asInt()).as("replayed entries changing something")
                .isZero();
        awaitRecount("the replay");

        String metrics = get("r1", TestAuth.READ, "/metrics").body();
        assertThat(metrics)
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters\",reason=\"not-your-id\"} 3.0")
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters\",reason=\"bad-stamp\"} 1.0")
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters\",reason=\"bad-value\"} 2.0")
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters\",reason=\"bad-counter\"} 1.0")
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters\",reason=\"future-epoch\"} 1.0")
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters\",reason=\"unknown-partition\"} 1.0")
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters\",reason=\"bad-request\"} 1.0")
                .contains("nvmesh_peer_refusals_total{endpoint=\"counters-pull\",reason=\"not-own-contribution\"} 1.0");
    }

    @Test
    void aPoisonedCounterFileHealsWhenItsInstanceStartsAgainAndSaysSo() throws Exception {
        String target = world.keys().stream().filter(k -> k.startsWith("target/")).findFirst().orElseThrow();
        cluster.kill("r3");
        await().atMost(SETTLE).until(() -> cluster.node("r1").view().live().equals(List.of("r1", "r2")));
        awaitRecount("r3 stopped");

        Path files = dir.resolve("r3").resolve("counters");
        // The poison: a made-up contributor outranking the target's owner for ever with a zero capacity.
        CounterFiles.put(files, new CounterEntry(target, "bytes/total/cluster", 0,
                new Stamp(Long.MAX_VALUE, "x", 1, 1)));
        CounterFiles.put(files, new CounterEntry("volume/does-not-exist", "servers/target/healthy", 50,
                new Stamp(1, "r2", 1, 1)));

        ReconcilerNode back = cluster.start("r3");
        Counters counters = back.counters();
        assertThat(counters.fileRepairs()).as("partitions healed on open").isEqualTo(2);
        for (int bucket = 0; bucket < 16; bucket++) {
            assertThat(counters.entriesOf("x", bucket)).as("the made-up contributor's entries").isEmpty();
        }
        wire(back);
        awaitRecount("r3 back on its poisoned file");
        assertThat(get("r3", TestAuth.READ, "/metrics").body())
                .contains("nvmesh_counter_repairs_total{reason=\"file\"} 2.0");
    }
}
