package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code nvmesh gc} on a repository grown by the GitOps loop: packs it, says so, and leaves fsck --history clean. */
class GcCommandTest {

    @TempDir
    Path tmp;

    private String repo() {
        return "--repo=" + tmp.resolve("desired.git");
    }

    @BeforeEach
    void grow() throws Exception {
        Files.writeString(tmp.resolve("inventory.yaml"), DiffCommandTest.INVENTORY);
        assertThat(NvmeshRun.of("inventory", "import", tmp.resolve("inventory.yaml").toString(), repo()).exitCode())
                .isZero();
        // Inside the checkout, as apply wants them.
        Path dir = Files.createDirectories(Path.of("target", "gc-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), DiffCommandTest.POLICY);
        for (int i = 0; i < 4; i++) {
            Files.writeString(dir.resolve("v" + i + ".yaml"), DiffCommandTest.volume("v" + i, "1GiB", false));
            NvmeshRun apply = NvmeshRun.of("apply", dir.toString(), repo());
            assertThat(apply.exitCode()).as(apply.out() + apply.err()).isZero();
            assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();
        }
    }

    @Test
    void packsTheRepositoryAndSaysWhatChanged() {
        NvmeshRun gc = NvmeshRun.of("gc", repo());

        assertThat(gc.exitCode()).as(gc.err()).isZero();
        assertThat(gc.out()).startsWith("packed " + tmp.resolve("desired.git") + " in ")
                .contains("  before: ", "  after:  0 loose objects");
        NvmeshRun fsck = NvmeshRun.of("fsck", "--history", repo());
        assertThat(fsck.exitCode()).as(fsck.out()).isZero();
        assertThat(fsck.out()).contains("every step keeps the rules");
    }

    @Test
    void jsonCountsObjectsBeforeAndAfter() throws Exception {
        NvmeshRun gc = NvmeshRun.of("gc", "-o", "json", repo());

        assertThat(gc.exitCode()).as(gc.err()).isZero();
        JsonNode j = JsonReport.JSON.readTree(gc.out());
        assertThat(j.get("outcome").asString()).isEqualTo("packed");
        assertThat(j.get("mirror").asBoolean()).isFalse();
        assertThat(j.get("before").get("looseObjects").asLong()).isGreaterThan(20);
        assertThat(j.get("before").get("packs").asLong()).isZero();
        assertThat(j.get("after").get("looseObjects").asLong()).isZero();
        assertThat(j.get("after").get("packs").asLong()).isPositive();
        assertThat(j.get("after").get("packedObjects").asLong())
                .isGreaterThanOrEqualTo(j.get("before").get("looseObjects").asLong());
        assertThat(j.get("seconds").asDouble()).isNotNegative();
    }

    @Test
    void refusesWhileTheStateRefIsLostAndChangesNothing() throws Exception {
        Files.delete(tmp.resolve("desired.git/refs/nvmesh/state"));
        long loose;
        try (var files = Files.walk(tmp.resolve("desired.git/objects"))) {
            loose = files.filter(Files::isRegularFile).count();
        }

        NvmeshRun gc = NvmeshRun.of("gc", repo());

        assertThat(gc.exitCode()).isEqualTo(1);
        assertThat(gc.out()).startsWith("refused: refs/nvmesh/state has a reflog but no readable ref")
                .contains("nvmesh fsck");
        assertThat(gc.out().lines()).hasSize(1);
        try (var files = Files.walk(tmp.resolve("desired.git/objects"))) {
            assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(loose);
        }
    }
}
