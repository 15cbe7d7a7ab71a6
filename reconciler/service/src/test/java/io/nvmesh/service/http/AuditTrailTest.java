package io.nvmesh.service.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.config.AuditConfig;
import io.nvmesh.service.config.InstanceConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real instance with an audit log: each kind of event a client can cause is made to happen, then the file is read
 * back as JSON lines, and searched for every token the test used.
 */
class AuditTrailTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String R2 = TestAuth.instanceToken("r2");
    private static final String T1 = "agent-t-001-token-0000000001";
    private static final String WRONG = "wrong-token-never-valid-0001";

    @TempDir
    Path dir;
    private ReconcilerNode node;
    private Path file;
    private WebSocketClient ws;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("audit").resolve("audit.log");
        InstanceConfig config = InstanceConfig.defaults("r1", dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(TestAuth.single()
                        .with(Credential.ofToken("r2", Role.INSTANCE, List.of(), R2))
                        .with(Credential.ofToken("t-001", Role.AGENT, List.of("t-001"), T1)))
                .withAudit(new AuditConfig(file, 1 << 20, 3));
        node = ReconcilerNode.start(config);
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterEach
    void stop() throws Exception {
        ws.stop();
        node.close();
    }

    @Test
    void writesRefusedCredentialsAndRefusedIdentitiesAreAuditedAndReadsAreNot() throws Exception {
        var base = node.url();
        assertThat(RawHttp.send("127.0.0.1", base, "GET", "/v1/instance", TestAuth.READ, null).status())
                .isEqualTo(200);
        RawHttp.send("127.0.0.1", base, "POST", "/v1/hooks/git", TestAuth.ADMIN, "");
        assertThat(RawHttp.send("127.0.0.1", base, "GET", "/v1/volumes", null, null).status()).isEqualTo(401);
        assertThat(RawHttp.send("127.0.0.1", base, "GET", "/v1/volumes/vol-a?token=" + WRONG, WRONG, null)
                .status()).isEqualTo(401);
        assertThat(RawHttp.send("127.0.0.1", base, "POST", "/v1/hooks/git", TestAuth.READ, "").status())
                .isEqualTo(403);
        assertThat(RawHttp.send("127.0.0.1", base, "GET", "/v1/events?topic=cluster", WRONG, null).status())
                .isEqualTo(401);
        assertThat(RawHttp.send("127.0.0.1", base, "POST", "/v1/peer/heartbeat", R2, "{\"id\":\"r3\",\"epoch\":1,"
                + "\"url\":\"http://127.0.0.1:1\",\"digest\":\"\",\"agents\":{}}").status()).isEqualTo(403);
        Agent refusedUpgrade = new Agent();
        try {
            dial(refusedUpgrade, WRONG).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception expected) {
            // 401 on the upgrade
        }
        Agent liar = new Agent();
        dial(liar, T1).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        liar.session.sendText(hello("t-002"), Callback.NOOP);
        assertThat(liar.close.get(BOUND.toSeconds(), TimeUnit.SECONDS)).startsWith("4403");
        Agent revoked = new Agent();
        dial(revoked, T1).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        // The session reaches the hub just after the client sees the upgrade: ask until it has.
        await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> {
            node.agents().closeRevoked(caller -> !caller.name().equals("t-001"));
            return revoked.close.isDone();
        });
        assertThat(revoked.close.get(BOUND.toSeconds(), TimeUnit.SECONDS)).startsWith("4401");

        List<JsonNode> lines = awaitLines(8);

        for (JsonNode l : lines) {
            assertThat(l.get("time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
            assertThat(l.get("source").asString()).matches("127\\.0\\.0\\.1:\\d+");
        }
        JsonNode write = one(lines, l -> kind(l, "write"));
        assertThat(write.get("caller").asString()).isEqualTo("admin-1");
        assertThat(write.get("role").asString()).isEqualTo("admin");
        assertThat(write.get("method").asString()).isEqualTo("POST");
        assertThat(write.get("route").asString()).isEqualTo("/v1/hooks/git");
        assertThat(write.get("status").asInt()).isBetween(200, 599);
        List<JsonNode> refused = lines.stream().filter(l -> kind(l, "auth-refused")).toList();
        assertThat(refused).extracting(l -> l.get("route").asString() + " " + l.get("status").asInt() + " "
                + l.get("problem").asString() + " " + l.get("caller").asString())
                .containsExactlyInAnyOrder("/v1/volumes 401 unauthorized anonymous",
                        "/v1/volumes/{name} 401 unauthorized anonymous",
                        "/v1/hooks/git 403 forbidden read-1",
                        "/v1/events 401 unauthorized anonymous",
                        "/v1/agent 401 unauthorized anonymous");
        List<JsonNode> identity = lines.stream().filter(l -> kind(l, "identity-refused")).toList();
        assertThat(identity).extracting(l -> l.get("caller").asString() + " " + l.get("role").asString() + " "
                + l.get("route").asString() + " " + (l.has("status") ? l.get("status").asInt()
                : l.get("close").asInt()) + " " + l.get("problem").asString())
                .containsExactlyInAnyOrder("r2 instance /v1/peer/heartbeat 403 not-your-id",
                        "t-001 agent /v1/agent 4403 not-your-id",
                        "t-001 agent /v1/agent 4401 revoked");
        assertThat(lines).as("reads are not audited").noneMatch(l -> kind(l, "write")
                && l.get("method").asString().equals("GET"));

        String text = Files.readString(file, StandardCharsets.UTF_8);
        for (String secret : List.of(TestAuth.ADMIN, TestAuth.READ, TestAuth.AGENT, R2, T1, WRONG,
                "vol-a")) {
            assertThat(text).as("the audit log holds no token, header or raw path").doesNotContain(secret);
        }
    }

    private CompletableFuture<Session> dial(Agent agent, String token) throws IOException {
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Bearer " + token);
        return ws.connect(agent, AgentProtocol.endpointOf(node.url()), request);
    }

    private List<JsonNode> awaitLines(int atLeast) {
        List<JsonNode> lines = new ArrayList<>();
        await().atMost(BOUND).until(() -> {
            lines.clear();
            if (Files.exists(file)) {
                for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    lines.add(JSON.readTree(l));
                }
            }
            return lines.size() >= atLeast;
        });
        return lines;
    }

    private static boolean kind(JsonNode line, String kind) {
        return line.get("kind").asString().equals(kind);
    }

    private static JsonNode one(List<JsonNode> lines, Predicate<JsonNode> p) {
        List<JsonNode> found = lines.stream().filter(p).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static String hello(String nodeId) {
        return "{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"" + nodeId + "\",\"kind\":\"target\","
                + "\"labels\":{},\"drives\":[]}";
    }

    /** An agent that says only what the test sends. */
    public static final class Agent implements Session.Listener.AutoDemanding {
        final CompletableFuture<String> close = new CompletableFuture<>();
        volatile Session session;

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
        }

        @Override
        @SuppressWarnings("removal")
        public void onWebSocketClose(int code, String reason) {
            close.complete(code + " " + reason);
        }
    }
}
