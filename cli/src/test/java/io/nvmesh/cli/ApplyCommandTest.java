package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.record.StateFiles;
import io.nvmesh.core.record.VolumeStatus;
import io.nvmesh.core.state.DesiredBranch;
import io.nvmesh.core.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nvmesh apply} removing volumes: deletion protection guards data, not mistakes that never got space. */
class ApplyCommandTest {

    @TempDir
    Path tmp;

    Path dir;

    private String repo() {
        return "--repo=" + tmp.resolve("desired.git");
    }

    @BeforeEach
    void fleetAndPolicy() throws Exception {
        Files.writeString(tmp.resolve("inventory.yaml"), DiffCommandTest.INVENTORY);
        assertThat(NvmeshRun.of("inventory", "import", tmp.resolve("inventory.yaml").toString(), repo()).exitCode())
                .isZero();
        dir = Files.createDirectories(Path.of("target", "apply-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), DiffCommandTest.POLICY);
    }

    @Test
    void aProtectedVolumeThatNeverGotSpaceIsPrunedInOneCommit() throws Exception {
        Files.writeString(dir.resolve("huge.yaml"), DiffCommandTest.volume("huge", "10TiB", true));
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();
        assertThat(state().volumes().get("huge").status()).isEqualTo(VolumeStatus.PENDING);
        Files.delete(dir.resolve("huge.yaml"));

        NvmeshRun diff = NvmeshRun.of("diff", "--prune", dir.toString(), repo());
        NvmeshRun apply = NvmeshRun.of("apply", "--prune", dir.toString(), repo());

        assertThat(diff.out()).contains("- Volume huge").doesNotContain("deletion blocked");
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("remove cli/" + dir + "/huge.yaml", "(0 written, 1 removed)");
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();
        assertThat(state().volumes()).isEmpty();
    }

    @Test
    void aPlacedProtectedVolumeKeepsItsProtection() throws Exception {
        Files.writeString(dir.resolve("db.yaml"), DiffCommandTest.volume("db", "10GiB", true));
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();
        assertThat(state().volumes().get("db").allocation()).isPresent();
        String before = tip();
        Files.delete(dir.resolve("db.yaml"));

        NvmeshRun diff = NvmeshRun.of("diff", "--prune", dir.toString(), repo());
        NvmeshRun apply = NvmeshRun.of("apply", "--prune", dir.toString(), repo());

        assertThat(diff.out()).contains("! Volume db: deletion blocked (deletionProtection: true)");
        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.err()).startsWith("error: refusing to delete volumes with deletionProtection: true; "
                + "nothing was committed").contains("Volume db (cli/" + dir + "/db.yaml)");
        assertThat(tip()).isEqualTo(before);
        assertThat(state().volumes().get("db").allocation()).isPresent();
    }

    private io.nvmesh.core.record.RecordedState state() {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            return StateFiles.decodeStrict(store.read(StateStore.STATE_REF));
        }
    }

    private String tip() {
        try (StateStore store = StateStore.openOrCreate(tmp.resolve("desired.git"))) {
            return new DesiredBranch(store, "main").read().commitId();
        }
    }
}
