package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/events/ws} on two real instances with Jetty's WebSocket client: the same stream as SSE (filters,
 * since, resets, keepalives, problems before the upgrade) in JSON text frames. Each test uses its own topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsWebSocketTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(2).heartbeat(Duration.ofMillis(50), 3);

    WebSocketClient client;
    final List<Session> sessions = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        client = new WebSocketClient();
        client.start();
    }

    @AfterAll
    void stop() throws Exception {
        sessions.forEach(Session::close);
        client.stop();
    }

    /** Collects the text frames of one connection. */
    public static final class Frames implements Session.Listener.AutoDemanding {
        final List<String> texts = new ArrayList<>();

        @Override
        public void onWebSocketText(String text) {
            synchronized (texts) {
                texts.add(text);
            }
        }

        List<String> all() {
            synchronized (texts) {
                return List.copyOf(texts);
            }
        }

        List<String> starting(String prefix) {
            return all().stream().filter(t -> t.startsWith(prefix)).toList();
        }
    }

    private URI uri(String on, String query) {
        return URI.create(cluster.uri(on).toString().replace("http:", "ws:") + "/v1/events/ws?" + query);
    }

    private Session connect(Frames frames, String on, String query, ClientUpgradeRequest request) throws Exception {
        Session s = client.connect(frames, uri(on, query), request).get(10, TimeUnit.SECONDS);
        sessions.add(s);
        await().atMost(BOUND).until(() -> !frames.starting("{\"subscribed\":").isEmpty());
        return s;
    }

    private static ClientUpgradeRequest bearer(String token) {
        ClientUpgradeRequest r = new ClientUpgradeRequest();
        r.setHeader("Authorization", "Bearer " + token);
        return r;
    }

    private void awaitInterest(String on, String topic) {
        await().atMost(BOUND).until(() -> cluster.nodes().stream().filter(n -> !n.id().equals(on))
                .allMatch(n -> n.events().peerWants(on, topic)));
    }

    @Test
    void anEventRaisedOnAnotherInstanceArrivesAsOneJsonFrame() throws Exception {
        Frames frames = new Frames();
        connect(frames, "r1", "topic=volume/ws-a", bearer(TestCluster.READ));
        awaitInterest("r1", "volume/ws-a");

        cluster.node("r2").events().publish("volume/ws-a", "status", Map.of("volume", "ws-a", "status", "online"));
        cluster.node("r2").events().publish("volume/ws-other", "status", Map.of());

        await().atMost(BOUND).untilAsserted(() -> assertThat(frames.starting("{\"event\":")).singleElement()
                .asString().contains("\"topic\":\"volume/ws-a\"", "\"type\":\"status\"", "\"origin\":\"r2\"",
                        "\"status\":\"online\"", "\"seq\":"));
        assertThat(frames.all().get(0)).isEqualTo("{\"subscribed\":[\"volume/ws-a\"]}");
    }

    @Test
    void aBrowserSendsItsTokenAsASubprotocolAndTheServerSelectsOnlyTheEventsProtocol() throws Exception {
        Frames frames = new Frames();
        ClientUpgradeRequest r = new ClientUpgradeRequest();
        r.setSubProtocols("nvmesh.events", "bearer." + TestCluster.READ);
        Session s = connect(frames, "r2", "topic=drive/*", r);

        assertThat(s.getUpgradeResponse().getAcceptedSubProtocol()).isEqualTo("nvmesh.events");
        cluster.node("r2").events().publish("drive/S-ws", "health", Map.of("serial", "S-ws"));
        await().atMost(BOUND).untilAsserted(() -> assertThat(frames.starting("{\"event\":")).hasSize(1));
    }

    @Test
    void resumingWithSinceReplaysTheMissedEventsAndFromBeforeTheBufferGetsAReset() throws Exception {
        Frames first = new Frames();
        Session s = connect(first, "r1", "topic=volume/ws-r", bearer(TestCluster.READ));
        awaitInterest("r1", "volume/ws-r");
        long seq = 0;
        for (int i = 1; i <= 3; i++) {
            seq = cluster.node("r1").events().publish("volume/ws-r", "step", Map.of("i", i)).seq();
        }
        await().atMost(BOUND).untilAsserted(() -> assertThat(first.starting("{\"event\":")).hasSize(3));
        s.close();

        Frames again = new Frames();
        connect(again, "r1", "topic=volume/ws-r&since=" + (seq - 1), bearer(TestCluster.READ));
        await().atMost(BOUND).untilAsserted(() -> assertThat(again.starting("{\"event\":")).singleElement()
                .asString().contains("\"i\":3"));

        long head = seq;
        Frames behind = new Frames();
        connect(behind, "r1", "topic=volume/ws-r&since=5", bearer(TestCluster.READ));
        await().atMost(BOUND).untilAsserted(() -> assertThat(behind.starting("{\"reset\":")).singleElement()
                .asString().contains("\"topic\":\"volume/ws-r\"", "\"reason\":\"behind\"", "\"head\":" + head));
    }

    @Test
    void anIdleStreamGetsKeepaliveFrames() throws Exception {
        Frames frames = new Frames();
        connect(frames, "r2", "topic=capacity&keepalive=1", bearer(TestCluster.READ));

        await().atMost(BOUND).untilAsserted(() -> assertThat(frames.starting("{\"keepalive\":{}}")).isNotEmpty());
    }

    @Test
    void problemsAreAnsweredBeforeTheUpgrade() {
        assertThat(refusal("topic=volume/x", new ClientUpgradeRequest())).isEqualTo(401);
        assertThat(refusal("topic=volume/x", bearer("not-a-token-000000000000"))).isEqualTo(401);
        assertThat(refusal("topic=volume/x", bearer(TestAuth.instanceToken("r2")))).isEqualTo(403);
        assertThat(refusal("topic=volume/a*b", bearer(TestCluster.READ))).isEqualTo(400);
        assertThat(refusal("topic=volume/x&keepalive=0", bearer(TestCluster.READ))).isEqualTo(400);
        ClientUpgradeRequest onlyToken = new ClientUpgradeRequest();
        onlyToken.setSubProtocols("bearer." + TestCluster.READ);
        assertThat(refusal("topic=volume/x", onlyToken)).isEqualTo(400);
    }

    private int refusal(String query, ClientUpgradeRequest request) {
        Frames frames = new Frames();
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(() -> client.connect(frames, uri("r1", query), request).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).satisfies(e -> failure[0] = e.getCause());
        assertThat(failure[0]).isInstanceOf(UpgradeException.class);
        return ((UpgradeException) failure[0]).getResponseStatusCode();
    }
}
