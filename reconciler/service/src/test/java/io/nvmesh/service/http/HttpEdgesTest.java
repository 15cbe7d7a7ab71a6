package io.nvmesh.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.api.ProblemJson;
import io.nvmesh.service.cluster.HeartbeatTransport;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.Membership;
import io.nvmesh.service.cluster.OwnershipTable;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.counters.Counters;
import io.nvmesh.service.events.Event;
import io.nvmesh.service.events.EventHub;
import io.nvmesh.service.events.EventTransport;
import io.nvmesh.service.events.Interest;
import io.nvmesh.service.nodes.AgentHub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;

/**
 * The edges of the HTTP server, probed as a hostile client would: what Jetty itself refuses, HEAD, and bodies that are
 * JSON but not what an endpoint reads. Every answer is a problem, none a 500, none names the server.
 */
class HttpEdgesTest {

    /** The test plays instance r2. */
    static final String PEER = TestAuth.instanceToken("r2");

    static ApiServer server;
    static Membership membership;
    static AgentHub agents;
    static Counters counters;
    static EventHub events;
    static ExecutorService work;
    @TempDir
    static Path dataDir;
    static URI base;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        server = ApiServer.bind("127.0.0.1", 0, "edges-test");
        HeartbeatTransport none = (peer, beat) -> new CompletableFuture<>();
        membership = Membership.create(new Member("r1", server.localUrl()), 42,
                List.of(new Member("r2", URI.create("http://127.0.0.1:1"))), Duration.ofSeconds(10), 3, none,
                System::nanoTime);
        OwnershipTable ownership = OwnershipTable.following(membership, 0.25);
        work = Executors.newFixedThreadPool(2, r -> new Thread(r, "edges-work"));
        agents = AgentHub.start(membership, ownership, Duration.ofSeconds(1), Duration.ofMillis(50));
        counters = Counters.open(dataDir.resolve("counters"), "r1", 42);
        events = EventHub.start("r1", 42, EventHub.Settings.defaults(Duration.ofSeconds(1)), new Nowhere(), Map::of);
        server.start(TestAuth.of("r1", List.of("r1", "r2")), membership, ownership, agents, counters, Optional.empty(), events, work);
        base = server.localUrl();
    }

    @AfterAll
    static void stop() {
        server.close();
        events.close();
        agents.close();
        membership.close();
        work.shutdownNow();
        counters.close();
    }

    /** A peer that is never reached: the test plays the peers. */
    static final class Nowhere implements EventTransport {
        @Override
        public CompletableFuture<Void> events(URI peer, String from, List<Event> events) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> interest(URI peer, Interest interest) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> digestMatches(URI peer, String instance, String digest) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public void close() {
        }
    }

    static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + PEER)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertBadRequest(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith(ProblemJson.MEDIA_TYPE));
        JsonNode p = Json.MAPPER.readTree(r.body());
        assertThat(p.get("type").asString()).isEqualTo("urn:nvmesh:problem:bad-request");
        assertThat(p.get("detail").asString()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** One raw HTTP/1.1 exchange, so that nothing on our side normalises the request: status line, headers, body. */
    static String raw(String request) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                got.write(buf, 0, n);
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    static String get(String target, String... headers) {
        StringBuilder r = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        return r.append("\r\n").toString();
    }

    /** Asserts a raw answer is a problem+json of that status, with no Jetty page, stack or server name in it. */
    static JsonNode assertRawProblem(String answer, int status) {
        int split = answer.indexOf("\r\n\r\n");
        assertThat(split).as(answer).isPositive();
        String head = answer.substring(0, split);
        String body = answer.substring(split + 4);
        assertThat(head).startsWith("HTTP/1.1 " + status + " ");
        assertThat(head.toLowerCase()).contains("content-type: " + ProblemJson.MEDIA_TYPE)
                .doesNotContain("\r\nserver:").doesNotContain("x-powered-by");
        assertThat(body).doesNotContain("<html").doesNotContain("Jetty").doesNotContain("\tat ");
        JsonNode p = Json.MAPPER.readTree(body);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("type").asString()).startsWith("urn:nvmesh:problem:");
        assertThat(p.get("title").asString()).isNotBlank();
        assertThat(p.get("detail").asString()).isNotBlank();
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%2e%2e/etc/passwd", "/v1/%2e%2e/healthz", "/v1/%2F/healthz", "/v1/cluster%00",
            "/v1/%zz"})
    void ambiguousOrMalformedUrisAreBadRequestProblems(String target) throws IOException {
        assertRawProblem(raw(get(target)), 400);
    }

    @Test
    void aUriTooLongIsA414Problem() throws IOException {
        JsonNode p = assertRawProblem(raw(get("/v1/" + "a".repeat(20_000))), 414);

        assertThat(p.get("type").asString()).isEqualTo("urn:nvmesh:problem:uri-too-long");
    }

    @Test
    void headersTooLargeAreA431Problem() throws IOException {
        JsonNode p = assertRawProblem(raw(get("/healthz", "X-Big: " + "b".repeat(20_000))), 431);

        assertThat(p.get("type").asString()).isEqualTo("urn:nvmesh:problem:headers-too-large");
    }

    @Test
    void aBrokenRequestLineIsABadRequestProblem() throws IOException {
        assertRawProblem(raw("GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\nConnection: close\r\n\r\n"),
                400);
    }

    @Test
    void noAnswerNamesTheServer() throws Exception {
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(base.resolve("/v1/cluster")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(ok.headers().firstValue("Server")).isEmpty();
        assertThat(refused.headers().firstValue("Server")).isEmpty();
        assertThat(ok.headers().firstValue("X-Powered-By")).isEmpty();
    }

    @Test
    void aTokenDifferingInCaseIsNotTakenForOneSentBeforeOnTheSameConnection() throws IOException {
        String wrongCase = PEER.toUpperCase();
        String request = "GET /v1/peer/counters/digest HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                + "%s\r\n";
        // Right then wrong, and wrong then right, each pair on one kept-alive connection.
        String close = "Connection: close\r\n";
        String rightThenWrong = raw(request.formatted(PEER, "") + request.formatted(wrongCase, close));
        String wrongThenRight = raw(request.formatted(wrongCase, "") + request.formatted(PEER, close));

        assertThat(statuses(rightThenWrong)).containsExactly(200, 401);
        assertThat(statuses(wrongThenRight)).containsExactly(401, 200);
    }

    private static List<Integer> statuses(String answers) {
        return java.util.regex.Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(answers).results()
                .map(m -> Integer.parseInt(m.group(1))).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/healthz", "/readyz"})
    void headIsGetWithoutTheBody(String path) throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(base.resolve(path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(head.statusCode()).isEqualTo(get.statusCode());
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Type")).isEqualTo(get.headers().firstValue("Content-Type"));
    }

    @Test
    void headIsRefusedWhereGetIs() throws Exception {
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(base.resolve("/v1/cluster"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(head.statusCode()).isEqualTo(401);
        assertThat(head.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"x\"", "42", "true", "{\"id\":null}", "{\"id\":[]}",
            "{\"id\":\"r2\",\"epoch\":\"soon\",\"url\":\"http://127.0.0.1:1\",\"digest\":\"\"}",
            "{\"id\":\"r2\",\"epoch\":7,\"url\":null,\"digest\":\"\"}",
            "{\"id\":\"r2\",\"epoch\":7,\"url\":\"http://127.0.0.1:1\",\"digest\":\"\",\"agents\":{\"x\":null}}",
            "{\"id\":\"r2\",\"epoch\":7,\"url\":\"http://127.0.0.1:1\",\"digest\":\"\",\"agents\":[1]}"})
    void heartbeatsThatAreNotHeartbeatsAreBadRequests(String body) throws Exception {
        assertBadRequest(post("/v1/peer/heartbeat", body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"x\"", "{\"entries\":null}", "{\"entries\":[null]}",
            "{\"entries\":{}}", "{\"entries\":[\"x\"]}", "{\"from\":\"r2\",\"entries\":[{\"partition\":null}]}",
            "{\"from\":\"r2\",\"entries\":[{\"partition\":\"p\",\"counter\":\"c\",\"value\":\"many\"}]}"})
    void counterBatchesThatAreNotBatchesAreBadRequests(String body) throws Exception {
        assertBadRequest(post("/v1/peer/counters", body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"x\"", "{\"events\":null}", "{\"events\":[null]}",
            "{\"from\":null,\"events\":[]}", "{\"from\":\"r2\",\"events\":\"x\"}",
            "{\"from\":\"r2\",\"events\":[{\"topic\":null,\"type\":null,\"seq\":1,\"origin\":null}]}",
            "{\"from\":\"r2\",\"events\":[{\"topic\":\"volume/x\",\"type\":\"t\",\"seq\":\"one\",\"origin\":\"r2\"}]}"})
    void eventBatchesThatAreNotBatchesAreBadRequests(String body) throws Exception {
        assertBadRequest(post("/v1/peer/events", body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"x\"", "{\"instance\":null,\"epoch\":1,\"version\":1,\"filters\":[]}",
            "{\"instance\":\"r2\",\"epoch\":1,\"version\":1,\"filters\":[null]}",
            "{\"instance\":\"r2\",\"epoch\":1,\"version\":1,\"filters\":null}",
            "{\"instance\":\"r2\",\"epoch\":\"x\",\"version\":1,\"filters\":[]}",
            "{\"instance\":\"r2\",\"epoch\":1,\"version\":1,\"filters\":\"volume/x\"}"})
    void interestsThatAreNotInterestsAreBadRequests(String body) throws Exception {
        assertBadRequest(post("/v1/peer/events/interest", body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "[]", "\"x\"", "{\"instance\":null,\"digest\":\"d\"}",
            "{\"instance\":[],\"digest\":\"d\"}"})
    void interestDigestsThatAreNotDigestsAreBadRequests(String body) throws Exception {
        assertBadRequest(post("/v1/peer/events/interest/digest", body));
    }
}
