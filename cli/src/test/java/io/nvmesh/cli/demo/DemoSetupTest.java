package io.nvmesh.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoSetupTest {

    private static final Path SAMPLES = Path.of("../samples").toAbsolutePath().normalize();
    private static final List<String> NODES = List.of("t-001", "c-001");

    @TempDir
    Path tmp;

    @Test
    void seedsTheDesiredBranchWithTheSamplesAsApplyWould() throws Exception {
        DemoSetup.Prepared demo = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 3, NODES);

        assertThat(demo.volumes()).isEqualTo(20);
        try (StateStore store = StateStore.openOrCreate(demo.repository())) {
            var tip = new DesiredBranch(store, "main").read();
            assertThat(tip.commitId()).isEqualTo(demo.desired());
            assertThat(tip.paths()).anyMatch(p -> p.endsWith("policies/mirrored-standard.yaml"))
                    .noneMatch(p -> p.startsWith("samples/inventory/") || p.startsWith("samples/ci/"));
        }
    }

    @Test
    void writesOneConfigPerInstanceWithItsPeersAndItsOwnCredentials() throws Exception {
        DemoSetup.Prepared demo = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 3, NODES);

        assertThat(demo.configs()).containsOnlyKeys("r1", "r2", "r3");
        assertThat(demo.urls().values()).extracting(u -> u.getPort()).doesNotHaveDuplicates();
        String r1 = Files.readString(demo.configs().get("r1"));
        assertThat(r1).contains("id: r1", "listen: 127.0.0.1:" + demo.urls().get("r1").getPort(),
                "url: " + demo.urls().get("r2"), "url: " + demo.urls().get("r3"),
                "remote: " + demo.repository().toAbsolutePath(), "credentialsFile: credentials.yaml",
                "tokenFile: r1.token").doesNotContain("url: " + demo.urls().get("r1"))
                .doesNotContain(demo.readToken(), demo.adminToken());
        // Every caller has its own credential, stored as a hash only; the tokens are in files only their owner reads.
        Credentials all = CredentialsFile.read(demo.credentials()).credentials().orElseThrow();
        assertThat(all.all()).extracting(Credential::name)
                .containsExactlyInAnyOrder("demo-admin", "demo-read", "r1", "r2", "r3", "t-001", "c-001");
        assertThat(Files.readString(demo.credentials())).doesNotContain(demo.readToken(), demo.adminToken());
        String r2 = Files.readString(tmp.resolve("demo/r2.token")).strip();
        assertThat(all.lookup(r2, Instant.now())).map(Credential::name).contains("r2");
        assertThat(all.lookup(demo.adminToken(), Instant.now())).map(Credential::role).contains(Role.ADMIN);
        List<String> agentLines = Files.readAllLines(demo.agentTokens()).stream().filter(l -> !l.startsWith("#"))
                .toList();
        assertThat(agentLines).hasSize(2);
        for (String line : agentLines) {
            String[] nodeAndToken = line.split(" ");
            assertThat(all.lookup(nodeAndToken[1], Instant.now()).orElseThrow().nodes())
                    .containsExactly(nodeAndToken[0]);
        }
        for (Path secret : List.of(demo.credentials(), demo.agentTokens(), tmp.resolve("demo/r1.token"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        }
        assertThat(demo.readToken()).isNotEqualTo(demo.adminToken()).hasSizeGreaterThan(16);
        Properties client = new Properties();
        try (var r = Files.newBufferedReader(demo.clientFile())) {
            client.load(r);
        }
        assertThat(client.getProperty("server")).isEqualTo(demo.urls().get("r1").toString());
        assertThat(client.getProperty("token")).isEqualTo(demo.readToken());
    }

    @Test
    void theClientFileCanBePointedAtASurvivingInstance() throws Exception {
        DemoSetup.Prepared demo = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 3, NODES);

        DemoSetup.pointClientAt(demo, demo.urls().get("r2"));

        Properties client = new Properties();
        try (var r = Files.newBufferedReader(demo.clientFile())) {
            client.load(r);
        }
        assertThat(client.getProperty("server")).isEqualTo(demo.urls().get("r2").toString());
        assertThat(client.getProperty("token")).isEqualTo(demo.readToken());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(demo.clientFile())))
                .isEqualTo("rw-------");
    }

    @Test
    void aNewDemoStartsFromScratchInAnEarlierDemosFolder() throws Exception {
        DemoSetup.Prepared first = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 1, NODES);
        Files.writeString(first.logs().resolve("r1.log"), "old");

        DemoSetup.Prepared second = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 1, NODES);

        assertThat(second.logs().resolve("r1.log")).doesNotExist();
        assertThat(second.readToken()).isNotEqualTo(first.readToken());
    }

    @Test
    void refusesAFolderThatHoldsSomethingElse() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(other.resolve("thesis.tex"), "years of work");

        assertThatThrownBy(() -> DemoSetup.prepare(other, SAMPLES, 3, NODES))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose another with --dir");
        assertThat(other.resolve("thesis.tex")).exists();
    }

    @Test
    void generatedNodeIdsAreTheSimulatorsOwn() {
        for (int[] shape : new int[][] {{6, 3}, {20, 32}, {1000, 1000}, {1200, 4}}) {
            io.nvmesh.service.sim.SimulatedFleet fleet = io.nvmesh.service.sim.SimulatedFleet.create(
                    new io.nvmesh.service.sim.SimulatedFleet.Spec(shape[0], 1, shape[1], 1));
            List<String> expected = new java.util.ArrayList<>(fleet.targetIds());
            expected.addAll(fleet.clientIds());
            assertThat(DemoSetup.generatedNodeIds(shape[0], shape[1])).containsExactlyInAnyOrderElementsOf(expected);
            fleet.close();
        }
    }
}
