package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.service.events.EventStats;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three real instances on loopback and real SSE connections: events reach the subscribers of the topic wherever they
 * are connected, and nobody else; a topic nobody subscribed to costs no peer message; consumers resume, or are reset
 * when they fell too far behind. Each test uses its own topics, so they share one cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsClusterTest {

    private static final Duration BOUND = Duration.ofSeconds(5);

    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(3).heartbeat(Duration.ofMillis(50), 3);

    HttpClient http;
    final List<SseClient> streams = new ArrayList<>();

    @BeforeAll
    void start() {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stop() {
        streams.forEach(SseClient::close);
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

    private long eventMessages() {
        return cluster.nodes().stream().map(n -> n.events().stats()).mapToLong(EventStats::eventMessages).sum();
    }

    @Test
    void subscriberOnOneInstanceHearsAnEventRaisedOnAnother() {
        SseClient x = subscribe("r1", "topic=volume/x");
        awaitInterest("r1", "volume/x");

        cluster.node("r3").events().publish("volume/x", "placed", Map.of("replicas", 3));

        await().atMost(BOUND).untilAsserted(() -> assertThat(x.eventData()).singleElement().asString()
                .contains("\"topic\":\"volume/x\"", "\"type\":\"placed\"", "\"origin\":\"r3\"", "\"replicas\":3"));
    }

    @Test
    void subscriberToAnotherTopicDoesNotHearIt() {
        SseClient a = subscribe("r1", "topic=volume/a");
        SseClient b = subscribe("r1", "topic=volume/b");
        awaitInterest("r1", "volume/a");
        awaitInterest("r1", "volume/b");

        cluster.node("r2").events().publish("volume/a", "placed", Map.of());
        cluster.node("r2").events().publish("volume/b", "placed", Map.of());

        // Both travel r2 → r1 in order, so once b's subscriber has its event, a's event was handed out already.
        await().atMost(BOUND).untilAsserted(() -> assertThat(b.eventData()).hasSize(1));
        await().atMost(BOUND).untilAsserted(() -> assertThat(a.eventData()).hasSize(1));
        assertThat(b.eventData()).allMatch(d -> d.contains("volume/b"));
        assertThat(a.eventData()).allMatch(d -> d.contains("volume/a"));
    }

    @Test
    void prefixFilterHearsEveryTopicOfItsKind() {
        SseClient drives = subscribe("r2", "topic=drive/*");
        awaitInterest("r2", "drive/S1");

        cluster.node("r1").events().publish("drive/S1", "failed", Map.of());
        cluster.node("r3").events().publish("drive/S2", "failed", Map.of());
        cluster.node("r3").events().publish("volume/elsewhere", "placed", Map.of());

        await().atMost(BOUND).untilAsserted(() -> assertThat(drives.eventData()).hasSize(2));
        assertThat(drives.eventData()).noneMatch(d -> d.contains("volume/"));
    }

    @Test
    void eventOnATopicNobodySubscribedToCrossesNoNetwork() {
        subscribe("r1", "topic=volume/watched");
        awaitInterest("r1", "volume/watched");
        long before = eventMessages();

        for (ReconcilerNode n : cluster.nodes()) {
            for (int i = 0; i < 100; i++) {
                n.events().publish("volume/unwatched-" + i, "placed", Map.of("i", i));
            }
        }

        assertThat(eventMessages()).isEqualTo(before);
        cluster.node("r2").events().publish("volume/watched", "placed", Map.of());
        await().atMost(BOUND).until(() -> eventMessages() > before);
    }

    @Test
    void resumingWithSinceGetsOnlyTheMissedEvents() {
        SseClient first = subscribe("r1", "topic=volume/r");
        awaitInterest("r1", "volume/r");
        for (int i = 1; i <= 3; i++) {
            cluster.node("r2").events().publish("volume/r", "step", Map.of("i", i));
        }
        await().atMost(BOUND).untilAsserted(() -> assertThat(first.ids()).hasSize(3));
        long last = first.ids().get(2);
        first.close();

        // The interest lingers after the last subscriber left, so r1 still receives and buffers volume/r.
        cluster.node("r2").events().publish("volume/r", "step", Map.of("i", 4));
        cluster.node("r2").events().publish("volume/r", "step", Map.of("i", 5));
        await().atMost(BOUND).until(() -> cluster.node("r1").events().stats().received() >= 5);

        SseClient again = subscribe("r1", "topic=volume/r&since=" + last);
        await().atMost(BOUND).untilAsserted(() -> assertThat(again.ids()).containsExactly(last + 1, last + 2));
        assertThat(again.named("reset")).isEmpty();
    }

    @Test
    void resumingFromBeforeTheBufferGetsAReset() {
        SseClient first = subscribe("r3", "topic=target/t-1");
        cluster.node("r3").events().publish("target/t-1", "online", Map.of());
        await().atMost(BOUND).untilAsserted(() -> assertThat(first.ids()).hasSize(1));
        long seen = first.ids().get(0);
        first.close();
        for (int i = 0; i < 1_100; i++) { // more than the 1,024 kept per topic
            cluster.node("r3").events().publish("target/t-1", "load", Map.of("i", i));
        }

        SseClient late = subscribe("r3", "topic=target/t-1&since=" + seen);
        cluster.node("r3").events().publish("target/t-1", "offline", Map.of());

        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(late.named("reset")).singleElement().asString()
                    .contains("\"topic\":\"target/t-1\"", "\"reason\":\"behind\"", "\"head\":" + (seen + 1_100));
            assertThat(late.eventData()).singleElement().asString().contains("\"type\":\"offline\"");
        });
    }

    @Test
    void idleStreamGetsKeepaliveComments() {
        SseClient idle = subscribe("r2", "topic=cluster&keepalive=1");

        await().atMost(BOUND).untilAsserted(() -> assertThat(idle.lines()).contains(": keepalive"));
    }

    @Test
    void streamNeedsAReadToken() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(cluster.uri("r1")
                + "/v1/events?topic=cluster")).GET().build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> peer = http.send(HttpRequest.newBuilder(URI.create(cluster.uri("r1")
                        + "/v1/peer/events")).header("Authorization", "Bearer " + TestCluster.READ)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(peer.statusCode()).isEqualTo(403);
    }

    @Test
    void malformedTopicIsABadRequest() throws Exception {
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(cluster.uri("r1")
                        + "/v1/events?topic=volumes/x")).header("Authorization", "Bearer " + TestCluster.READ)
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("not a topic filter: volumes/x");
    }
}
