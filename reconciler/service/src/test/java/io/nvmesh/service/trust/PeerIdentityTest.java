package io.nvmesh.service.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.testing.TestPorts;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.cluster.MemberStatus;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real instances on loopback whose credentials come from one credentials file, as in production: each instance
 * speaks only as itself. Forged heartbeats (another instance's id, an epoch from the future, a caller of the wrong
 * role, an instance that is not a member) are refused and change no instance's view of the cluster; a credential taken
 * out of the file stops working without a restart.
 */
class PeerIdentityTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private final Map<String, ReconcilerNode> nodes = new LinkedHashMap<>();
    private Path credentials;
    private final String outsider = "instance-token-r9-000000";

    @BeforeEach
    void start() throws Exception {
        Map<String, URI> urls = new LinkedHashMap<>();
        Iterator<Integer> ports = TestPorts.next(3).iterator();
        for (String id : List.of("r1", "r2", "r3")) {
            urls.put(id, URI.create("http://127.0.0.1:" + ports.next()));
        }
        credentials = dir.resolve("credentials.yaml");
        writeCredentials(List.of("r1", "r2", "r3"));
        urls.forEach((id, url) -> {
            List<Member> peers = new ArrayList<>();
            urls.forEach((o, u) -> {
                if (!o.equals(id)) {
                    peers.add(new Member(o, u));
                }
            });
            InstanceConfig c = InstanceConfig.defaults(id, dir.resolve(id)).withListen("127.0.0.1", url.getPort())
                    .withAuth(AuthConfig.none().withCredentialsFile(credentials).withToken(TestAuth.instanceToken(id)))
                    .withPeers(peers).withHeartbeat(Duration.ofMillis(100), 3);
            nodes.put(id, ReconcilerNode.start(c));
        });
        await().atMost(BOUND).until(() -> nodes.values().stream().allMatch(n -> n.view().live().size() == 3));
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(ReconcilerNode::close);
    }

    /** People and the fleet, the given instances, and r9: an instance credential that is no member's. */
    private void writeCredentials(List<String> instances) throws Exception {
        List<Credential> all = new ArrayList<>(TestAuth.single().credentials().all());
        for (String id : instances) {
            all.add(Credential.ofToken(id, Role.INSTANCE, List.of(), TestAuth.instanceToken(id)));
        }
        all.add(Credential.ofToken("r9", Role.INSTANCE, List.of(), outsider));
        CredentialsFile.write(credentials, Credentials.of(all));
        // A rewrite within the file system's time resolution must still be seen as a change.
        java.nio.file.Files.setLastModifiedTime(credentials, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() + 1000L * instances.size()));
    }

    @Test
    void forgedHeartbeatsAreRefusedAndNoViewChanges() throws Exception {
        ReconcilerNode r1 = nodes.get("r1");
        Map<String, String> before = views();
        long r2Epoch = nodes.get("r2").membership().epoch();

        // r3 speaks as r2; r2 claims a restart in the year 2100; an admin, a reader and an agent try the peer route;
        // r9 holds an instance credential but is nobody's peer.
        assertProblem(heartbeat(r1, TestAuth.instanceToken("r3"), "r2", r2Epoch + 1), 403, "not-your-id");
        assertProblem(heartbeat(r1, TestAuth.instanceToken("r2"), "r2", 4_102_444_800_000L), 400, "bad-request");
        assertProblem(heartbeat(r1, TestAuth.ADMIN, "r2", r2Epoch), 403, "forbidden");
        assertProblem(heartbeat(r1, TestAuth.READ, "r2", r2Epoch), 403, "forbidden");
        assertProblem(heartbeat(r1, TestAuth.AGENT, "r2", r2Epoch), 403, "forbidden");
        assertProblem(heartbeat(r1, outsider, "r9", r2Epoch), 409, "unknown-peer");
        assertProblem(heartbeat(r1, "instance-token-r2-000001", "r2", r2Epoch), 401, "unauthorized");

        // Several heartbeat intervals later every instance still sees every other, each in its first life.
        await().during(Duration.ofMillis(500)).atMost(BOUND).until(() -> views().equals(before));
        assertThat(r1.view().members()).filteredOn(m -> m.id().equals("r2")).extracting(MemberStatus::epoch)
                .containsExactly(r2Epoch);
        // Each refusal is counted where Prometheus sees it.
        String metrics = HTTP.send(HttpRequest.newBuilder(r1.url().resolve("/metrics"))
                .header("Authorization", "Bearer " + TestAuth.READ).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(metrics).contains(
                "nvmesh_peer_refusals_total{endpoint=\"heartbeat\",reason=\"not-your-id\"} 1.0",
                "nvmesh_peer_refusals_total{endpoint=\"heartbeat\",reason=\"bad-request\"} 1.0",
                "nvmesh_peer_refusals_total{endpoint=\"heartbeat\",reason=\"unknown-peer\"} 1.0",
                "nvmesh_auth_refusals_total{reason=\"forbidden\"} 3.0",
                "nvmesh_auth_refusals_total{reason=\"unauthorized\"} 1.0");
    }

    @Test
    void aCredentialTakenOutOfTheFileStopsWorkingWithoutARestart() throws Exception {
        ReconcilerNode r1 = nodes.get("r1");
        String r3 = TestAuth.instanceToken("r3");
        long r3Epoch = nodes.get("r3").membership().epoch();
        assertThat(heartbeat(r1, r3, "r3", r3Epoch).statusCode()).isEqualTo(200);

        writeCredentials(List.of("r1", "r2"));

        await().atMost(BOUND).untilAsserted(() -> assertProblem(heartbeat(r1, r3, "r3", r3Epoch), 401,
                "unauthorized"));
        // The others keep working with the same file.
        assertThat(heartbeat(r1, TestAuth.instanceToken("r2"), "r2", nodes.get("r2").membership().epoch())
                .statusCode()).isEqualTo(200);
        // Put back, it works again: nothing was cached for good.
        writeCredentials(List.of("r1", "r2", "r3"));
        await().atMost(BOUND).until(() -> heartbeat(r1, r3, "r3", r3Epoch).statusCode() == 200);
    }

    /** Each instance's view: member → alive and epoch. */
    private Map<String, String> views() {
        return nodes.values().stream().collect(Collectors.toMap(ReconcilerNode::id, n -> n.view().members().stream()
                .map(m -> m.id() + "=" + m.alive() + "@" + m.epoch()).sorted().collect(Collectors.joining(","))));
    }

    private static HttpResponse<String> heartbeat(ReconcilerNode to, String token, String id, long epoch)
            throws Exception {
        String body = "{\"id\":\"" + id + "\",\"epoch\":" + epoch + ",\"url\":\"http://127.0.0.1:1\","
                + "\"digest\":\"\",\"agents\":{}}";
        return HTTP.send(HttpRequest.newBuilder(to.url().resolve("/v1/peer/heartbeat"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertProblem(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/problem+json"));
        assertThat(r.body()).contains("\"type\":\"").contains(type);
    }
}
