package io.nvmesh.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.service.cluster.HeartbeatTransport;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.nodes.AgentHub;
import io.nvmesh.service.counters.Counters;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/** A real Jetty on a loopback port, a real membership (not started: the test plays the peer). */
class ApiServerTest {

    static final String ADMIN = TestAuth.ADMIN;
    static final String READ = TestAuth.READ;
    /** The test plays instance r2. */
    static final String PEER = TestAuth.instanceToken("r2");
    static final String AGENT = TestAuth.AGENT;

    static ApiServer server;
    static Membership membership;
    static OwnershipTable ownership;
    static ExecutorService work;
    static AgentHub agents;
    static Counters counters;
    @TempDir
    static Path dataDir;
    static URI base;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        server = ApiServer.bind("127.0.0.1", 0, "api-test");
        HeartbeatTransport none = (peer, beat) -> new CompletableFuture<>();
        membership = Membership.create(new Member("r1", server.localUrl()), 42,
                List.of(new Member("r2", URI.create("http://127.0.0.1:1"))), Duration.ofSeconds(10), 3, none,
                System::nanoTime);
        ownership = OwnershipTable.following(membership, 0.25);
        ownership.setKeys(List.of("target/t-1", "target/t-2", "client/c-1"));
        work = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-work"));
        agents = AgentHub.start(membership, ownership, Duration.ofSeconds(1), Duration.ofMillis(50));
        counters = Counters.open(dataDir.resolve("counters"), "r1", 42);
        server.start(TestAuth.of("r1", List.of("r1", "r2", "r9")), membership, ownership, agents,
                counters, java.util.Optional.empty(), work);
        base = server.localUrl();
    }

    @AfterAll
    static void stop() {
        server.close();
        agents.close();
        membership.close();
        work.shutdownNow();
        counters.close();
    }

    static HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.MAPPER.readTree(response.body());
    }

    static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode p = json(response);
        assertThat(p.get("type").asString()).isEqualTo("urn:nvmesh:problem:" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asString()).isNotBlank();
        assertThat(p.get("detail").asString()).isNotBlank();
    }

    static String heartbeatBody(String id) {
        return "{\"id\":\"" + id + "\",\"epoch\":7,\"url\":\"http://127.0.0.1:1\",\"digest\":\"\"}";
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        HttpResponse<String> r = get("/healthz", null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("status").asString()).isEqualTo("ok");
        assertThat(json(r).get("id").asString()).isEqualTo("r1");
    }

    @Test
    void aReadWithoutATokenIs401WithABearerChallenge() throws Exception {
        HttpResponse<String> r = get("/v1/cluster", null);

        assertProblem(r, 401, "unauthorized");
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"nvmesh\"");
        assertThat(json(r).get("instance").asString()).isEqualTo("/v1/cluster");
    }

    @Test
    void anUnknownTokenOrAnotherSchemeIs401() throws Exception {
        HttpResponse<String> unknown = get("/v1/cluster", "not-a-token-we-know-at-all");
        assertProblem(unknown, 401, "unauthorized");
        assertThat(unknown.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("invalid_token"));

        HttpResponse<String> basic = http.send(HttpRequest.newBuilder(base.resolve("/v1/cluster"))
                .header("Authorization", "Basic YWRtaW46YWRtaW4=").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(basic, 401, "unauthorized");
    }

    @Test
    void readAndAdminTokensMayReadButTheSecretsMayNot() throws Exception {
        assertThat(get("/v1/cluster", READ).statusCode()).isEqualTo(200);
        assertThat(get("/v1/cluster", ADMIN).statusCode()).isEqualTo(200);
        assertProblem(get("/v1/cluster", PEER), 403, "forbidden");
        assertProblem(get("/v1/cluster", AGENT), 403, "forbidden");
    }

    @Test
    void theInstanceEndpointGivesThisProcesssHeapAndCpu() throws Exception {
        HttpResponse<String> r = get("/v1/instance", READ);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("id").asString()).isEqualTo("r1");
        assertThat(json(r).get("epoch").asLong()).isEqualTo(42);
        assertThat(json(r).get("heapUsedBytes").asLong()).isPositive();
        assertThat(json(r).get("heapMaxBytes").asLong()).isGreaterThanOrEqualTo(json(r).get("heapUsedBytes").asLong());
        assertThat(json(r).get("threads").asInt()).isPositive();
        assertThat(json(r).get("cpuMillis").asLong()).isPositive();
        assertProblem(get("/v1/instance", PEER), 403, "forbidden");
    }

    @Test
    void onlyAnInstanceCredentialMaySendHeartbeats() throws Exception {
        assertProblem(post("/v1/peer/heartbeat", null, heartbeatBody("r2")), 401, "unauthorized");
        assertProblem(post("/v1/peer/heartbeat", ADMIN, heartbeatBody("r2")), 403, "forbidden");
        assertProblem(post("/v1/peer/heartbeat", READ, heartbeatBody("r2")), 403, "forbidden");
        assertProblem(post("/v1/peer/heartbeat", AGENT, heartbeatBody("r2")), 403, "forbidden");
    }

    @Test
    void aPeersHeartbeatIsAnsweredWithOursAndMakesItLive() throws Exception {
        HttpResponse<String> r = post("/v1/peer/heartbeat", PEER, heartbeatBody("r2"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("id").asString()).isEqualTo("r1");
        assertThat(json(r).get("epoch").asLong()).isEqualTo(42);
        assertThat(membership.view().live()).contains("r2");
    }

    @Test
    void aStoppingInstanceAnswersNoHeartbeat() throws Exception {
        ApiServer other = ApiServer.bind("127.0.0.1", 0, "stopping-test");
        Membership stopping = Membership.create(new Member("r1", other.localUrl()), 43,
                List.of(new Member("r2", URI.create("http://127.0.0.1:1"))), Duration.ofSeconds(10), 3,
                (peer, beat) -> new CompletableFuture<>(), System::nanoTime);
        OwnershipTable own = OwnershipTable.following(stopping, 0.25);
        AgentHub hub = AgentHub.start(stopping, own, Duration.ofSeconds(1), Duration.ofMillis(50));
        try (Counters c = Counters.open(dataDir.resolve("counters-stopping"), "r1", 43)) {
            other.start(TestAuth.of("r1", List.of("r1", "r2")), stopping, own, hub, c, java.util.Optional.empty(),
                    work);
            URI at = other.localUrl();
            assertThat(send(at, PEER, heartbeatBody("r2")).statusCode()).isEqualTo(200);

            stopping.close(); // as ReconcilerNode.close does first, while the listener still serves

            HttpResponse<String> r = send(at, PEER, heartbeatBody("r2"));
            assertProblem(r, 503, "stopping");
        } finally {
            other.close();
            hub.close();
            stopping.close();
        }
    }

    private static HttpResponse<String> send(URI at, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(at.resolve("/v1/peer/heartbeat")).header("Authorization",
                "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void heartbeatsFromStrangersAreAConflict() throws Exception {
        // r9 holds an instance credential but is not one of this instance's configured peers.
        assertProblem(post("/v1/peer/heartbeat", TestAuth.instanceToken("r9"), heartbeatBody("r9")), 409,
                "unknown-peer");
    }

    @Test
    void anInstanceMaySendOnlyItsOwnHeartbeats() throws Exception {
        assertProblem(post("/v1/peer/heartbeat", TestAuth.instanceToken("r9"), heartbeatBody("r2")), 403,
                "not-your-id");
        assertProblem(post("/v1/peer/heartbeat", PEER, heartbeatBody("r9")), 403, "not-your-id");
    }

    @Test
    void malformedHeartbeatsAreBadRequests() throws Exception {
        assertProblem(post("/v1/peer/heartbeat", PEER, "{not json"), 400, "bad-request");
        assertProblem(post("/v1/peer/heartbeat", PEER, "{\"id\":\"r2\",\"url\":\"http://x:1\"}"), 400, "bad-request");
        assertProblem(post("/v1/peer/heartbeat", PEER, "{\"id\":\"r2\",\"epoch\":1,\"url\":\"ftp://x\"}"), 400,
                "bad-request");
        assertProblem(post("/v1/peer/heartbeat", PEER, ""), 400, "bad-request");
    }

    @Test
    void oversizedBodiesAreRefusedBeforeTheyAreRead() throws Exception {
        // A raw socket that declares a large body and sends none: the answer must come from the declared length
        // alone. (A client that streams the body meanwhile may see the connection close before it reads the 413.)
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(5_000);
            String head = "POST /v1/peer/heartbeat HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + PEER
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (Router.MAX_BODY_BYTES + 1)
                    + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 413").contains("application/problem+json")
                    .contains("urn:nvmesh:problem:too-large");
        }
    }

    @Test
    void unknownPathsAre404AndWrongMethods405WithAllow() throws Exception {
        assertProblem(get("/v1/nothing", ADMIN), 404, "not-found");

        HttpResponse<String> r = post("/v1/cluster", ADMIN, "{}");
        assertProblem(r, 405, "method-not-allowed");
        assertThat(r.headers().firstValue("Allow")).contains("GET");
    }

    @Test
    void clusterListsMembersWithLivenessAndOwnershipOfTheKnownKeys() throws Exception {
        JsonNode c = json(get("/v1/cluster", READ));

        assertThat(c.get("self").asString()).isEqualTo("r1");
        assertThat(c.get("epoch").asLong()).isEqualTo(42);
        assertThat(c.get("members")).hasSize(2);
        assertThat(c.get("members").get(0).get("self").asBoolean()).isTrue();
        assertThat(c.get("ownership").get("source").asString()).isEqualTo("known");
        assertThat(c.get("ownership").get("keys").asInt()).isEqualTo(3);
        assertThat(c.get("ownership").get("counts").get("target").get("r1").asInt()).isBetween(0, 2);
    }

    @Test
    void clusterCountsTheKeysGivenInTheQuery() throws Exception {
        JsonNode c = json(get("/v1/cluster?key=volume/a&key=volume/b&key=client/x&key=volume/a", READ));

        assertThat(c.get("ownership").get("source").asString()).isEqualTo("query");
        assertThat(c.get("ownership").get("keys").asInt()).isEqualTo(3);
        assertThat(c.get("ownership").get("counts").has("volume")).isTrue();
    }

    @Test
    void ownerNamesTheOwnerOfAKeyAndNeedsTheKey() throws Exception {
        JsonNode o = json(get("/v1/cluster/owner?key=target/t-1", READ));

        assertThat(o.get("known").asBoolean()).isTrue();
        assertThat(o.get("owner").asString()).isEqualTo(ownership.current().ownerOf("target/t-1").orElseThrow());
        assertThat(json(get("/v1/cluster/owner?key=volume/new", READ)).get("known").asBoolean()).isFalse();
        assertProblem(get("/v1/cluster/owner", READ), 400, "bad-request");
    }

    @Test
    void offloadedEndpointsRunOnTheWorkExecutorNotOnJettyThreads() throws Exception {
        ApiServer other = ApiServer.bind("127.0.0.1", 0, "offload-test");
        try {
            Route where = Route.offloaded("GET", "/where", Access.PUBLIC,
                    req -> ApiResponse.ok(Map.of("thread", Thread.currentThread().getName())));
            Route inline = Route.inline("GET", "/inline", Access.PUBLIC,
                    req -> ApiResponse.ok(Map.of("thread", Thread.currentThread().getName())));
            other.start(new Router(List.of(where, inline), new Authenticator(AuthConfig.none()), work));
            URI at = other.localUrl();

            String offloaded = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(at.resolve("/where")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("thread").asString();
            String jetty = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(at.resolve("/inline")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("thread").asString();

            assertThat(offloaded).isEqualTo("test-work");
            assertThat(jetty).startsWith("nvmesh-http-offload-test");
        } finally {
            other.close();
        }
    }

    @Test
    void anEndpointThatThrowsIsA500ProblemWithoutInternals() throws Exception {
        ApiServer other = ApiServer.bind("127.0.0.1", 0, "failing-test");
        try {
            Route boom = Route.inline("GET", "/boom", Access.PUBLIC, req -> {
                throw new IllegalStateException("secret internal detail");
            });
            other.start(new Router(List.of(boom), new Authenticator(AuthConfig.none()), work));

            HttpResponse<String> r = http.send(HttpRequest.newBuilder(other.localUrl().resolve("/boom")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).doesNotContain("secret internal detail").contains("urn:nvmesh:problem:internal");
        } finally {
            other.close();
        }
    }

    @Test
    void theDashboardIsServedWithoutATokenUnderAPolicyOfItsOwnOriginOnly() throws Exception {
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(AssetHandler.CONTENT_SECURITY_POLICY);
        assertThat(page.body()).contains("<title>nvmesh</title>");
        String etag = page.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(base.resolve("/")).header("If-None-Match", etag)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(get("/ui/uplot.js", null).headers().firstValue("Content-Type"))
                .hasValue("text/javascript;charset=utf-8");
        assertProblem(get("/ui/nothing.js", null), 404, "not-found");
        assertProblem(post("/", READ, "{}"), 404, "not-found");
    }

    @Test
    void dashboardDataNeedsAReadTokenAndARecordedState() throws Exception {
        assertProblem(get("/v1/fleet/targets", null), 401, "unauthorized");
        assertProblem(get("/v1/fleet/targets", AGENT), 403, "forbidden");
        assertProblem(get("/v1/fleet/targets", READ), 503, "no-git-remote");
        assertProblem(get("/v1/fleet/targets?sort=speed", READ), 400, "bad-request");
        assertProblem(get("/v1/fleet/targets?limit=x", READ), 400, "bad-request");
        assertProblem(get("/v1/volumes/v/layout", READ), 503, "no-git-remote");
    }

    @Test
    void aTargetsPerformanceIsAnsweredByItsOwnerAndAskedOfItByOthers() throws Exception {
        String mine = targetOwnedBy("r1");
        HttpResponse<String> r = get("/v1/performance/targets/" + mine, READ);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode p = json(r);
        assertThat(p.get("owner").asString()).isEqualTo("r1");
        assertThat(p.get("missing").get(0).asString()).isEqualTo(mine);
        assertThat(p.get("series").get("at").size()).isZero();
        assertThat(json(get("/v1/peer/performance/targets/" + mine, PEER)).get("subject").asString())
                .isEqualTo("target/" + mine);
        assertProblem(get("/v1/peer/performance/targets/" + mine, READ), 403, "forbidden");
        String theirs = targetOwnedBy("r2");
        // r2 is configured but nothing listens there: the answer says its owner did not answer.
        assertProblem(get("/v1/performance/targets/" + theirs, READ), 502, "owner-unreachable");
    }

    private static String targetOwnedBy(String member) {
        for (int i = 0; i < 1000; i++) {
            if (ownership.current().ownerOrPreferred("target/x-" + i).equals(member)) {
                return "x-" + i;
            }
        }
        throw new AssertionError("no target key owned by " + member);
    }
}
