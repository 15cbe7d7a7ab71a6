package io.nvmesh.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nvmesh.api.ClusterJson;
import io.nvmesh.cli.remote.ClientTls;
import io.nvmesh.cli.remote.ServerAddress;
import io.nvmesh.cli.remote.ServerClient;
import io.nvmesh.cli.remote.ServerException;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.agent.AgentTls;
import io.nvmesh.service.config.ConfigLoader;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.TlsConfig;
import io.nvmesh.service.sim.SimulatedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code nvmesh demo} prepares with TLS on (its default), run for real: an instance started from the
 * configuration the demo wrote serves https with the demo's certificates and <em>needs</em> nothing but them, the
 * simulated fleet connects as the demo's runner starts it (each node with its own certificate, no token), and what
 * {@code nvmesh get/status/watch} resolve from the demo's {@code client.properties} reads the instance.
 */
class DemoTlsTest {

    private static final Path SAMPLES = Path.of("../samples").toAbsolutePath().normalize();

    @TempDir
    Path home;

    @Test
    void theDemosOwnCertificatesCarryAnInstanceTheFleetAndTheCommandLine() throws Exception {
        List<String> nodes = DemoSetup.generatedNodeIds(2, 1);
        DemoSetup.Prepared demo = DemoSetup.prepare(home.resolve("demo"), SAMPLES, 1, nodes);

        assertThat(demo.tls()).isTrue();
        assertThat(demo.urls().get("r1").getScheme()).isEqualTo("https");
        for (Path key : List.of(demo.pki().resolve("ca-key.pem"), demo.pki().resolve("r1-key.pem"),
                demo.agentCertificates().resolve("t-001-key.pem"), demo.pki().resolve("demo-admin-key.pem"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
        InstanceConfig config = ConfigLoader.load(demo.configs().get("r1"));
        assertThat(config.tls()).hasValueSatisfying(t -> assertThat(t.clientAuth())
                .isEqualTo(TlsConfig.ClientAuth.WANT));

        try (ReconcilerNode r1 = ReconcilerNode.start(config);
             SimulatedFleet fleet = SimulatedFleet.create(new SimulatedFleet.Spec(2, 1, 1, 1))) {
            assertThat(r1.url()).isEqualTo(demo.urls().get("r1"));
            fleet.connect(List.of(r1.url()), AgentTls.perNode(demo.pki().resolve("ca.pem"),
                    demo.agentCertificates()), node -> "");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(r1.agents().connectedNodes())
                    .containsExactlyInAnyOrderElementsOf(nodes));

            // What nvmesh get, status and watch use when nothing is given: the demo's client file.
            ServerAddress address = ServerAddress.resolve(null, null, ClientTls.NONE, Map.of("NVMESH_HOME",
                    home.toString()));
            assertThat(address.server()).isEqualTo(demo.urls().get("r1"));
            assertThat(address.tls()).isEqualTo(demo.readerTls());
            assertThat(new ServerClient(address).get("/v1/cluster", ClusterJson.class).members()).isNotEmpty();
            // The admin's certificate and token name the same caller, as printed by the demo.
            assertThat(new ServerClient(new ServerAddress(r1.url(), demo.adminToken(), "test", demo.adminTls()))
                    .get("/v1/cluster", ClusterJson.class).members()).isNotEmpty();
            // Without the demo's CA the instance is not trusted.
            assertThatThrownBy(() -> new ServerClient(new ServerAddress(r1.url(), demo.readToken(), "test"))
                    .get("/v1/cluster", ClusterJson.class)).isInstanceOf(ServerException.class).hasMessageContaining("TLS");
        }
    }

    @Test
    void insecureIsPlainHttpWithoutCertificates() throws Exception {
        DemoSetup.Prepared demo = DemoSetup.prepare(home.resolve("demo"), SAMPLES, 2, List.of("t-001"), false);

        assertThat(demo.urls().values()).allSatisfy(u -> assertThat(u.getScheme()).isEqualTo("http"));
        assertThat(demo.pki()).doesNotExist();
        assertThat(Files.readString(demo.configs().get("r1"))).doesNotContain("tls:");
        assertThat(Files.readString(demo.clientFile())).doesNotContain("cacert", "cert=", "key=");
        assertThat(ConfigLoader.load(demo.configs().get("r2")).tls()).isEmpty();
    }
}
