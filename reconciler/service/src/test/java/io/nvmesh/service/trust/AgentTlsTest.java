package io.nvmesh.service.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.agent.AgentRuntime;
import io.nvmesh.service.agent.AgentSettings;
import io.nvmesh.service.agent.AgentStatus;
import io.nvmesh.service.agent.AgentTls;
import io.nvmesh.service.agent.NodeAgent;
import io.nvmesh.service.agent.NodeKind;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.TlsConfig;
import io.nvmesh.service.sim.SimulatedFleet;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real node agents (a simulated fleet of real {@link NodeAgent}s on one {@link AgentRuntime}) against one instance on
 * loopback that <em>needs</em> a client certificate ({@code clientAuth: need}): no bearer token is sent, each node
 * presents its own certificate from a folder written by {@code nvmesh certs}' code, and the certificate alone says
 * which node it may speak for.
 */
class AgentTlsTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private Path agents;
    private Path credentials;
    private ReconcilerNode r1;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final SimulatedFleet.Spec spec = new SimulatedFleet.Spec(3, 2, 2, 7);
    private final List<String> nodes = List.of("t-001", "t-002", "t-003", "c-001", "c-002");

    @BeforeEach
    void start() throws Exception {
        ca = CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        ca.issue(new CertificateName(Role.INSTANCE, "r1", List.of()), List.of("127.0.0.1"), Duration.ofDays(1))
                .write(dir, "r1");
        agents = Files.createDirectories(dir.resolve("agents"));
        for (String n : nodes) {
            issueAgent(agents, n, n);
        }
        credentials = dir.resolve("credentials.yaml");
        writeCredentials(nodes);
        TlsConfig tls = TlsConfig.of(dir.resolve("r1.pem"), dir.resolve("r1-key.pem"),
                Optional.of(dir.resolve("ca.pem"))).withClientAuth(TlsConfig.ClientAuth.NEED);
        r1 = ReconcilerNode.start(InstanceConfig.defaults("r1", dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.none().withCredentialsFile(credentials)).withTls(tls));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        r1.close();
    }

    @Test
    void aFleetWhoseNodesPresentTheirOwnCertificatesConnectsWithoutTokens() {
        SimulatedFleet fleet = fleet(AgentTls.perNode(dir.resolve("ca.pem"), agents));

        // The hub counts a node connected once its welcome is queued; the agent is connected once it has read it.
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(r1.agents().connectedNodes()).containsExactlyInAnyOrderElementsOf(nodes);
            assertThat(fleet.statuses().values()).allSatisfy(s -> assertThat(s.connected()).isTrue());
        });
    }

    @Test
    void withoutACertificateAnAgentIsRefusedAtTheHandshake() {
        AgentRuntime bare = runtime(new AgentTls(Optional.of(dir.resolve("ca.pem")), Optional.empty(),
                Optional.empty(), Optional.empty()));
        NodeAgent t001 = agent(bare, "t-001", "agent-token-unused-000001");

        await().atMost(BOUND).until(() -> t001.status().lastClose().startsWith("unreachable"));
        assertThat(t001.status().welcomes()).isZero();
        assertThat(r1.agents().connectedNodes()).doesNotContain("t-001");
    }

    @Test
    void theRealAgentGivenNodeAsCertificateCannotSayHelloAsNodeBAndBKeepsItsConnection() throws Exception {
        SimulatedFleet fleet = fleet(AgentTls.perNode(dir.resolve("ca.pem"), agents));
        await().atMost(BOUND).until(() -> r1.agents().connectedNodes().containsAll(nodes));
        int welcomes = fleet.statuses().get("t-002").welcomes();

        // A folder whose t-002 files are t-001's certificate and key.
        Path rogue = Files.createDirectories(dir.resolve("rogue"));
        Files.copy(agents.resolve("t-001.pem"), rogue.resolve("t-002.pem"));
        Files.copy(agents.resolve("t-001-key.pem"), rogue.resolve("t-002-key.pem"));
        NodeAgent impostor = agent(runtime(AgentTls.perNode(dir.resolve("ca.pem"), rogue)), "t-002", "");

        await().atMost(BOUND).until(() -> impostor.status().state() == AgentStatus.State.FAILED);
        assertThat(impostor.status().failure()).isEqualTo("credential t-001 may not speak for node t-002");
        assertThat(impostor.status().welcomes()).isZero();
        AgentStatus real = fleet.statuses().get("t-002");
        assertThat(real.connected()).isTrue();
        assertThat(real.welcomes()).as("the real t-002 was never replaced").isEqualTo(welcomes);
        assertThat(real.lastClose()).isEmpty();
    }

    @Test
    void aRotatedAgentCertificateIsPresentedWhenTheOldOnesCredentialIsRevoked() throws Exception {
        SimulatedFleet fleet = fleet(AgentTls.perNode(dir.resolve("ca.pem"), agents));
        await().atMost(BOUND).until(() -> r1.agents().connectedNodes().containsAll(nodes));
        BigInteger old = serial(agents.resolve("t-001.pem"));

        // The host's new certificate names t-001 under a new credential name; its files replace the old ones
        // (written beside and moved, key first), then the old credential is revoked.
        Path staging = Files.createDirectories(dir.resolve("staging"));
        List<String> withHost = new ArrayList<>(nodes);
        withHost.add("host-1");
        writeCredentials(withHost);
        issueAgent(staging, "host-1", "t-001");
        Files.move(staging.resolve("host-1-key.pem"), agents.resolve("t-001-key.pem"),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(staging.resolve("host-1.pem"), agents.resolve("t-001.pem"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        touch(agents.resolve("t-001.pem"), agents.resolve("t-001-key.pem"));
        assertThat(serial(agents.resolve("t-001.pem"))).isNotEqualTo(old);
        List<String> revoked = new ArrayList<>(withHost);
        revoked.remove("t-001");
        writeCredentials(revoked);

        // The old session is closed (its credential is gone); the agent comes back with the new certificate: the
        // old one would be refused.
        await().atMost(BOUND).untilAsserted(() -> {
            AgentStatus s = fleet.statuses().get("t-001");
            assertThat(s.welcomes()).isGreaterThanOrEqualTo(2);
            assertThat(s.connected()).isTrue();
        });
        assertThat(r1.agents().connectedNodes()).containsExactlyInAnyOrderElementsOf(nodes);
    }

    // ---- helpers ----

    private SimulatedFleet fleet(AgentTls tls) {
        SimulatedFleet fleet = SimulatedFleet.create(spec);
        closing.add(fleet);
        fleet.connect(runtime(tls), List.of(r1.url()), node -> "");
        return fleet;
    }

    private AgentRuntime runtime(AgentTls tls) {
        AgentRuntime rt = AgentRuntime.start("tls-test", tls);
        closing.add(rt);
        return rt;
    }

    private NodeAgent agent(AgentRuntime rt, String node, String token) {
        NodeAgent a = NodeAgent.create(rt, AgentSettings.of(node, NodeKind.TARGET, List.of(r1.url()), token, 1),
                new io.nvmesh.service.agent.ManagedNode() {
                    @Override
                    public java.util.Map<String, String> labels() {
                        return java.util.Map.of();
                    }

                    @Override
                    public List<io.nvmesh.core.allocation.Drive> drives() {
                        return List.of();
                    }

                    @Override
                    public io.nvmesh.core.allocation.TargetHealth health() {
                        return io.nvmesh.core.allocation.TargetHealth.HEALTHY;
                    }

                    @Override
                    public io.nvmesh.service.agent.Performance performance() {
                        return io.nvmesh.service.agent.Performance.IDLE;
                    }

                });
        closing.add(a::stop);
        a.start();
        return a;
    }

    private void issueAgent(Path folder, String name, String node) throws IOException {
        ca.issue(new CertificateName(Role.AGENT, name, List.of(node)), List.of(), Duration.ofDays(1))
                .write(folder, name);
    }

    /** An agent credential per name (each speaking for the node of that name; host-1 for t-001). */
    private void writeCredentials(List<String> names) throws Exception {
        List<Credential> all = new ArrayList<>();
        for (String n : names) {
            String node = n.equals("host-1") ? "t-001" : n;
            all.add(Credential.ofToken(n, Role.AGENT, List.of(node), "agent-token-" + n + "-00000000"));
        }
        CredentialsFile.write(credentials, Credentials.of(all));
        touch(credentials);
    }

    private static void touch(Path... files) throws IOException {
        for (Path f : files) {
            Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(2)));
        }
    }

    private static BigInteger serial(Path pem) {
        return PemFiles.readCertificates(pem).get(0).getSerialNumber();
    }
}
