package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code nvmesh diff -o markdown}: a pull request's plan for a comment, computed from the repository alone. The whole
 * output is compared with a golden file (commit ids and the temporary path replaced by names).
 */
class DiffMarkdownTest {

    static final String MIRROR = "apiVersion: nvmesh.io/v1\nkind: VolumePolicy\nmetadata:\n  name: m\n"
            + "spec:\n  layout: raid1\n  mirrors: 1\n  domainScope: rack\n";

    @TempDir
    Path tmp;

    private String repo() {
        return "--repo=" + tmp.resolve("desired.git");
    }

    @Test
    void aPullRequestsPlanRendersAsTheGoldenFile() throws Exception {
        Files.writeString(tmp.resolve("inventory.yaml"), DiffCommandTest.INVENTORY);
        assertThat(NvmeshRun.of("inventory", "import", tmp.resolve("inventory.yaml").toString(), repo()).exitCode())
                .isZero();
        Path dir = Files.createDirectories(Path.of("target", "diff-markdown-" + System.nanoTime()));
        Files.writeString(dir.resolve("policies.yaml"), DiffCommandTest.POLICY + "---\n" + MIRROR);
        Files.writeString(dir.resolve("a.yaml"), DiffCommandTest.volume("a", "100GiB", false));
        Files.writeString(dir.resolve("gone.yaml"), DiffCommandTest.volume("gone", "10GiB", false));
        Files.writeString(dir.resolve("kept.yaml"), DiffCommandTest.volume("kept", "10GiB", true));
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();
        // The pull request: a grows, db arrives mirrored, gone and kept are removed (kept is protected).
        Files.writeString(dir.resolve("a.yaml"), DiffCommandTest.volume("a", "200GiB", false));
        Files.writeString(dir.resolve("db.yaml"), DiffCommandTest.volume("db", "50GiB", false)
                .replace("policy: p", "policy: m"));
        Files.delete(dir.resolve("gone.yaml"));
        Files.delete(dir.resolve("kept.yaml"));

        NvmeshRun md = NvmeshRun.of("diff", "--prune", "-o", "markdown", dir.toString(), repo());
        NvmeshRun json = NvmeshRun.of("diff", "--prune", "-o", "json", dir.toString(), repo());

        assertThat(md.exitCode()).as(md.err()).isEqualTo(1);
        JsonNode j = JsonReport.JSON.readTree(json.out());
        String actual = md.out()
                .replace(j.get("desired").get("commit").asString().substring(0, 7), "DESIRED")
                .replace(j.get("state").get("commit").asString().substring(0, 7), "STATE")
                .replace(tmp.toString(), "TMP")
                .replace(dir.toString(), "DIR");
        Path golden = Path.of("src/test/resources/diff/pull-request.md");
        if (Boolean.getBoolean("nvmesh.golden.write")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual); // then read it, and commit it only if it is right
        }
        assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    @Test
    void cellTextCannotBreakTheTable() {
        assertThat(DiffRenderer.md("a|b <script>\nc`d`")).isEqualTo("a\\|b &lt;script&gt; c'd'");
    }
}
