package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.cluster.MemberStatus;
import io.nvmesh.service.cluster.Ownership;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three real instances on loopback, heartbeating every 100 ms, dead after 3 silent intervals. */
class ClusterFailoverTest {

    private static final Duration INTERVAL = Duration.ofMillis(100);

    @RegisterExtension
    final ClusterExtension cluster = ClusterExtension.of(3).heartbeat(INTERVAL, 3);
    private final List<String> keys = new ArrayList<>();

    @BeforeEach
    void startThree() {
        for (int i = 0; i < 300; i++) {
            keys.add(String.format("target/t-%03d", i));
            keys.add(String.format("client/c-%03d", i));
        }
        cluster.nodes().forEach(n -> n.ownership().setKeys(keys));
    }

    private void awaitAgreement(List<String> expectedLive) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            for (ReconcilerNode n : cluster.nodes()) {
                assertThat(n.view().live()).as("live members seen by %s", n.id()).isEqualTo(expectedLive);
                assertThat(n.ownership().current().members()).isEqualTo(expectedLive);
            }
            assertThat(cluster.nodes().stream().map(n -> n.ownership().current().digest()).distinct())
                    .as("every instance computes the same owners").hasSize(1);
        });
    }

    @Test
    void threeInstancesSeeEachOtherAndAgreeOnEveryOwner() {
        awaitAgreement(List.of("r1", "r2", "r3"));

        Ownership o = cluster.node("r1").ownership().current();
        assertThat(o.keyCount()).isEqualTo(600);
        assertThat(o.counts().values()).allSatisfy(n -> assertThat(n).isBetween(150, 250));
    }

    @Test
    void aKilledInstanceIsDeclaredDeadAndOnlyItsKeysMove() {
        awaitAgreement(List.of("r1", "r2", "r3"));
        Ownership before = cluster.node("r1").ownership().current();

        cluster.kill("r2");

        // Dead after 3 silent intervals (300 ms) plus a sweep; the bound is generous for a busy 2-core machine.
        awaitAgreement(List.of("r1", "r3"));
        Ownership after = cluster.node("r1").ownership().current();
        for (String space : List.of("target", "client")) {
            var b = before.bySpace().get(space);
            var a = after.bySpace().get(space);
            List<String> moved = b.movedIn(a);
            assertThat(moved).containsAll(b.keysOf("r2"));
            long others = moved.stream().filter(k -> !b.owners().get(k).equals("r2")).count();
            assertThat(others).as("keys of survivors that moved in %s", space).isLessThanOrEqualTo(8 + 300 / 20);
        }
    }

    @Test
    void anInstanceThatSaysGoodbyeIsCountedOutByEveryPeerBeforeItsCloseReturns() {
        awaitAgreement(List.of("r1", "r2", "r3"));

        // Only r2's membership: its listener stays up and keeps accepting, as one behind a proxy or a sidecar does,
        // so no refused connect could tell the peers, and they would have waited the dead-after time.
        cluster.node("r2").membership().close();

        for (String id : List.of("r1", "r3")) {
            assertThat(cluster.node(id).view().live()).as("live members seen by %s", id).containsExactly("r1", "r3");
        }
        // The listener still answers for r2, but no heartbeat of that life brings it back.
        await().during(Duration.ofMillis(5 * INTERVAL.toMillis())).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.node("r1").view().live()).containsExactly("r1", "r3");
            assertThat(cluster.node("r3").view().live()).containsExactly("r1", "r3");
        });
    }

    @Test
    void aRestartedInstanceRejoinsWithANewEpoch() {
        awaitAgreement(List.of("r1", "r2", "r3"));
        long firstEpoch = cluster.node("r2").membership().epoch();
        cluster.kill("r2");
        awaitAgreement(List.of("r1", "r3"));

        await().atMost(Duration.ofSeconds(2)).until(() -> System.currentTimeMillis() > firstEpoch);
        cluster.start("r2").ownership().setKeys(keys);

        awaitAgreement(List.of("r1", "r2", "r3"));
        MemberStatus r2 = cluster.node("r1").view().members().stream().filter(m -> m.id().equals("r2"))
                .findFirst().orElseThrow();
        assertThat(r2.epoch()).isGreaterThan(firstEpoch);
        assertThat(r2.incarnations()).isEqualTo(2);
    }

    @Test
    void theClusterEndpointShowsTheSameViewOverHttp() throws Exception {
        awaitAgreement(List.of("r1", "r2", "r3"));
        HttpClient http = HttpClient.newHttpClient();
        List<String> digests = new ArrayList<>();

        for (ReconcilerNode n : cluster.nodes()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(n.url() + "/v1/cluster"))
                    .header("Authorization", "Bearer " + TestCluster.READ).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"live\":[\"r1\",\"r2\",\"r3\"]");
            digests.add(r.body().replaceAll(".*\"digest\":\"([0-9a-f]+)\".*", "$1"));
        }

        assertThat(digests).hasSize(3).containsOnly(cluster.node("r1").ownership().current().digest());
    }
}
