package io.nvmesh.service.trust;

import static io.nvmesh.service.trust.PeerIdentityTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.testing.TestPorts;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.agent.AgentProtocol;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.TlsConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real instance serving TLS on loopback, asking for client certificates from a private CA made by the test with
 * {@code nvmesh certs}' code. A certificate names its caller (docs/security.md); the credentials file still says who
 * exists. Each test is an attack or a rotation, and what the instance answers.
 */
class TlsTrustTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private Path credentials;
    private ReconcilerNode r1;
    private final long epoch = System.currentTimeMillis() - 60_000;

    @BeforeEach
    void start() throws Exception {
        ca = CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        issue(Role.INSTANCE, "r1", List.of(), List.of("127.0.0.1", "localhost"));
        issue(Role.INSTANCE, "r2", List.of(), List.of("127.0.0.1"));
        issue(Role.READ, "grafana", List.of(), List.of());
        issue(Role.AGENT, "t-001", List.of("t-001"), List.of());
        credentials = dir.resolve("credentials.yaml");
        writeCredentials(List.of("r1", "r2", "r3"));
        TlsConfig tls = TlsConfig.of(dir.resolve("r1.pem"), dir.resolve("r1-key.pem"),
                Optional.of(dir.resolve("ca.pem")));
        // r2 and r3 are members that are not running: their heartbeats come from the test.
        InstanceConfig c = InstanceConfig.defaults("r1", dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.none().withCredentialsFile(credentials).withToken(TestAuth.instanceToken("r1")))
                .withPeers(List.of(new Member("r2", URI.create("https://127.0.0.1:1")),
                        new Member("r3", URI.create("https://127.0.0.1:2"))))
                .withTls(tls);
        r1 = ReconcilerNode.start(c);
        assertThat(r1.url().getScheme()).isEqualTo("https");
    }

    @AfterEach
    void stop() {
        if (r1 != null) {
            r1.close();
        }
    }

    @Test
    void aClientWithoutACertificateOrTokenGetsNoPeerAccessAndAReaderCertificateIsNoPeer() throws Exception {
        assertProblem(heartbeat(client(null), "r2"), 401, "unauthorized");
        assertProblem(heartbeat(client("grafana"), "r2"), 403, "forbidden");
        // Reading with the reader's certificate alone works: the certificate is the credential.
        assertThat(get(client("grafana"), "/v1/cluster").statusCode()).isEqualTo(200);
    }

    @Test
    void aPeerCertificateForR2CannotSendR1sOrR3sHeartbeats() throws Exception {
        HttpClient r2 = client("r2");
        assertThat(heartbeat(r2, "r2").statusCode()).isEqualTo(200);
        assertProblem(heartbeat(r2, "r3"), 403, "not-your-id");
        assertProblem(heartbeat(r2, "r1"), 403, "not-your-id");
        // A token for r3 sent over r2's certificate does not make it r3 either.
        assertProblem(send(r2, heartbeatRequest("r3").header("Authorization", "Bearer "
                + TestAuth.instanceToken("r3"))), 401, "unauthorized");
    }

    @Test
    void anAgentCertificateForNodeACannotSayHelloAsNodeB() throws Exception {
        WebSocketClient ws = new WebSocketClient();
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        ssl.setSslContext(PemFiles.clientContext(Optional.of(dir.resolve("ca.pem")),
                Optional.of(dir.resolve("t-001.pem")), Optional.of(dir.resolve("t-001-key.pem"))));
        ws.getHttpClient().setSslContextFactory(ssl);
        ws.start();
        try {
            AgentTrustTest.RawAgent rogue = new AgentTrustTest.RawAgent();
            ws.connect(rogue, AgentProtocol.endpointOf(r1.url()), new ClientUpgradeRequest()).get(10, TimeUnit.SECONDS);
            rogue.send("{\"type\":\"hello\",\"protocols\":[1],\"nodeId\":\"t-002\",\"kind\":\"target\",\"labels\":{},"
                    + "\"drives\":[]}");
            assertThat(rogue.closed()).isEqualTo("4403 credential t-001 may not speak for node t-002");
        } finally {
            ws.stop();
        }
    }

    @Test
    void anExpiredCertificateIsRefusedAtTheHandshake() throws Exception {
        Instant past = Instant.now().minus(Duration.ofDays(10));
        ca.issue(new CertificateName(Role.INSTANCE, "r2", List.of()), List.of(), past, past.plus(Duration.ofDays(1)))
                .write(dir, "r2-expired");

        HttpClient expired = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .sslContext(PemFiles.clientContext(Optional.of(dir.resolve("ca.pem")),
                        Optional.of(dir.resolve("r2-expired.pem")), Optional.of(dir.resolve("r2-expired-key.pem"))))
                .build();
        assertThatThrownBy(() -> heartbeat(expired, "r2")).isInstanceOf(IOException.class);
    }

    @Test
    void aCertificateWhoseNameWasRemovedFromTheCredentialsFileIsRefusedWithoutARestart() throws Exception {
        HttpClient r2 = client("r2");
        assertThat(heartbeat(r2, "r2").statusCode()).isEqualTo(200);

        writeCredentials(List.of("r1", "r3"));

        await().atMost(BOUND).untilAsserted(() -> assertProblem(heartbeat(client("r2"), "r2"), 401,
                "unauthorized"));
        // Also on the connection it had open before.
        assertProblem(heartbeat(r2, "r2"), 401, "unauthorized");
    }

    @Test
    void aRotatedServerCertificateIsServedToNewConnectionsWhileAnOpenOneCarriesOn() throws Exception {
        HttpClient kept = client("grafana");
        HttpResponse<String> first = get(kept, "/v1/cluster");
        assertThat(first.statusCode()).isEqualTo(200);
        X509Certificate before = served(first);

        issue(Role.INSTANCE, "r1", List.of(), List.of("127.0.0.1", "localhost"));
        Files.setLastModifiedTime(dir.resolve("r1.pem"), FileTime.from(Instant.now().plusSeconds(2)));

        await().atMost(BOUND).until(() -> !served(get(client("grafana"), "/v1/cluster")).equals(before));
        assertThat(served(get(client("grafana"), "/v1/cluster")).getSerialNumber())
                .isEqualTo(PemFiles.readCertificates(dir.resolve("r1.pem")).get(0).getSerialNumber());
        assertThat(get(kept, "/v1/cluster").statusCode()).isEqualTo(200);
    }

    @Test
    void twoInstancesThatNeedClientCertificatesSeeEachOtherOverHttps() throws Exception {
        issue(Role.INSTANCE, "r3", List.of(), List.of("127.0.0.1"));
        List<Integer> ports = List.copyOf(TestPorts.next(2));
        ReconcilerNode[] pair = new ReconcilerNode[2];
        String[] ids = {"r2", "r3"};
        try {
            for (int i = 0; i < 2; i++) {
                String id = ids[i];
                String other = ids[1 - i];
                TlsConfig tls = TlsConfig.of(dir.resolve(id + ".pem"), dir.resolve(id + "-key.pem"),
                        Optional.of(dir.resolve("ca.pem"))).withClientAuth(TlsConfig.ClientAuth.NEED);
                pair[i] = ReconcilerNode.start(InstanceConfig.defaults(id, dir.resolve("data-" + id))
                        .withListen("127.0.0.1", ports.get(i))
                        .withAuth(AuthConfig.none().withCredentialsFile(credentials)
                                .withToken(TestAuth.instanceToken(id)))
                        .withPeers(List.of(new Member(other, URI.create("https://127.0.0.1:" + ports.get(1 - i)))))
                        .withHeartbeat(Duration.ofMillis(100), 3).withTls(tls));
            }
            await().atMost(BOUND).until(() -> pair[0].view().live().size() == 2 && pair[1].view().live().size() == 2);
            // Without a certificate, the handshake itself is refused.
            assertThatThrownBy(() -> send(client(null), HttpRequest.newBuilder(pair[0].url().resolve("/v1/cluster"))))
                    .isInstanceOf(IOException.class);
        } finally {
            for (ReconcilerNode n : pair) {
                if (n != null) {
                    n.close();
                }
            }
        }
    }

    // ---- helpers ----

    private void issue(Role role, String name, List<String> nodes, List<String> hosts) throws IOException {
        ca.issue(new CertificateName(role, name, nodes), hosts, Duration.ofDays(1)).write(dir, name);
    }

    /** People, the fleet, the given instances, a reader and agent t-001: tokens for all, certificates for some. */
    private void writeCredentials(List<String> instances) throws Exception {
        List<Credential> all = new ArrayList<>(TestAuth.single().credentials().all());
        for (String id : instances) {
            all.add(Credential.ofToken(id, Role.INSTANCE, List.of(), TestAuth.instanceToken(id)));
        }
        all.add(Credential.ofToken("grafana", Role.READ, List.of(), "grafana-token-0000000001"));
        all.add(Credential.ofToken("t-001", Role.AGENT, List.of("t-001"), "agent-token-t001-0000001"));
        CredentialsFile.write(credentials, Credentials.of(all));
        Files.setLastModifiedTime(credentials, FileTime.fromMillis(System.currentTimeMillis() + 1000L
                * instances.size()));
    }

    /** A client trusting the test's CA, presenting {@code name}'s certificate (none when null). */
    private HttpClient client(String name) {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .sslContext(PemFiles.clientContext(Optional.of(dir.resolve("ca.pem")),
                        Optional.ofNullable(name).map(n -> dir.resolve(n + ".pem")),
                        Optional.ofNullable(name).map(n -> dir.resolve(n + "-key.pem")))).build();
    }

    private HttpRequest.Builder heartbeatRequest(String id) {
        String body = "{\"id\":\"" + id + "\",\"epoch\":" + epoch + ",\"url\":\"https://127.0.0.1:1\","
                + "\"digest\":\"\",\"agents\":{}}";
        return HttpRequest.newBuilder(r1.url().resolve("/v1/peer/heartbeat")).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> heartbeat(HttpClient client, String id) throws Exception {
        return send(client, heartbeatRequest(id));
    }

    private HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return send(client, HttpRequest.newBuilder(r1.url().resolve(path)));
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(BOUND).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static X509Certificate served(HttpResponse<?> response) throws Exception {
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }
}
