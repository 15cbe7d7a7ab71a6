package io.nvmesh.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoSetupTest {

    private static final Path SAMPLES = Path.of("../samples").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void seedsTheDesiredBranchWithTheSamplesAsApplyWould() throws Exception {
        DemoSetup.Prepared demo = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 3);

        assertThat(demo.volumes()).isEqualTo(20);
        try (StateStore store = StateStore.openOrCreate(demo.repository())) {
            var tip = new DesiredBranch(store, "main").read();
            assertThat(tip.commitId()).isEqualTo(demo.desired());
            assertThat(tip.paths()).anyMatch(p -> p.endsWith("policies/mirrored-standard.yaml"))
                    .noneMatch(p -> p.startsWith("samples/inventory/") || p.startsWith("samples/ci/"));
        }
    }

    @Test
    void writesOneConfigPerInstanceWithItsPeersAndTheSharedGeneratedTokens() throws Exception {
        DemoSetup.Prepared demo = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 3);

        assertThat(demo.configs()).containsOnlyKeys("r1", "r2", "r3");
        assertThat(demo.urls().values()).extracting(u -> u.getPort()).doesNotHaveDuplicates();
        String r1 = Files.readString(demo.configs().get("r1"));
        assertThat(r1).contains("id: r1", "listen: 127.0.0.1:" + demo.urls().get("r1").getPort(),
                "url: " + demo.urls().get("r2"), "url: " + demo.urls().get("r3"),
                "remote: " + demo.repository().toAbsolutePath(), demo.readToken(), demo.adminToken(),
                demo.agentSecret()).doesNotContain("url: " + demo.urls().get("r1"));
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
        DemoSetup.Prepared demo = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 3);

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
        DemoSetup.Prepared first = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 1);
        Files.writeString(first.logs().resolve("r1.log"), "old");

        DemoSetup.Prepared second = DemoSetup.prepare(tmp.resolve("demo"), SAMPLES, 1);

        assertThat(second.logs().resolve("r1.log")).doesNotExist();
        assertThat(second.readToken()).isNotEqualTo(first.readToken());
    }

    @Test
    void refusesAFolderThatHoldsSomethingElse() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("precious"));
        Files.writeString(other.resolve("thesis.tex"), "years of work");

        assertThatThrownBy(() -> DemoSetup.prepare(other, SAMPLES, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose another with --dir");
        assertThat(other.resolve("thesis.tex")).exists();
    }
}
