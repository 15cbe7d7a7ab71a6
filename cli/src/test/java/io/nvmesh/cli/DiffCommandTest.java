package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.testing.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nvmesh diff} (and what {@code apply} says alike) on a small fleet: two targets of one 2 TiB drive each. */
class DiffCommandTest {

    static final String INVENTORY = """
            apiVersion: nvmesh.io/v1
            kind: Inventory
            targets:
              - id: t1
                labels: {rack: r1}
                drives:
                  - {serial: S1, capacity: 2TiB}
              - id: t2
                labels: {rack: r2}
                drives:
                  - {serial: S2, capacity: 2TiB}
            """;

    static final String POLICY = Policies.named(Policies.PLAIN, "p");

    @TempDir
    Path tmp;

    /** Inside the checkout: repository paths are relative to its root. */
    Path dir;

    static String volume(String name, String capacity, boolean protection) {
        return "apiVersion: nvmesh.io/v1\nkind: Volume\nmetadata:\n  name: " + name + "\nspec:\n  policy: p\n"
                + "  capacity: " + capacity + "\n" + (protection ? "" : "  deletionProtection: false\n");
    }

    private String repo() {
        return "--repo=" + tmp.resolve("desired.git");
    }

    @BeforeEach
    void fleetAndPolicy() throws Exception {
        Files.writeString(tmp.resolve("inventory.yaml"), INVENTORY);
        NvmeshRun imported = NvmeshRun.of("inventory", "import", tmp.resolve("inventory.yaml").toString(), repo());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        dir = Files.createDirectories(Path.of("target", "diff-test-" + System.nanoTime()));
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
    }

    @Test
    void aVolumeFileDeletedLocallyIsNamedAsKeptByDiffAndApplyUntilPruneDeletesIt() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), volume("a", "1GiB", false));
        Files.writeString(dir.resolve("b.yaml"), volume("b", "1GiB", false));
        Files.writeString(dir.resolve("c.yaml"), volume("c", "1GiB", false));
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();
        Files.delete(dir.resolve("b.yaml"));
        Files.delete(dir.resolve("c.yaml"));

        NvmeshRun diff = NvmeshRun.of("diff", dir.toString(), repo());
        NvmeshRun json = NvmeshRun.of("diff", "-o", "json", dir.toString(), repo());
        NvmeshRun apply = NvmeshRun.of("apply", dir.toString(), repo());

        String kept = "2 volumes not in these files, kept: b, c (use --prune to delete them)";
        assertThat(diff.exitCode()).as(diff.err()).isZero();
        assertThat(diff.out()).contains(kept + "\nNo changes.");
        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).contains("\"notInFiles\" : [ {", "\"kind\" : \"Volume\"", "\"name\" : \"b\"",
                "\"name\" : \"c\"", "b.yaml\"");
        assertThat(apply.exitCode()).isZero();
        assertThat(apply.out()).startsWith("no changes").contains(kept);

        NvmeshRun prunePreview = NvmeshRun.of("diff", "--prune", dir.toString(), repo());
        assertThat(prunePreview.exitCode()).isEqualTo(1);
        assertThat(prunePreview.out()).contains("- Volume b", "- Volume c", "2 to delete")
                .doesNotContain("not in these files");
        NvmeshRun pruned = NvmeshRun.of("apply", "--prune", dir.toString(), repo());
        assertThat(pruned.exitCode()).as(pruned.err()).isZero();
        assertThat(pruned.out()).contains("(0 written, 2 removed)").doesNotContain("not in these files");
    }

    @Test
    void aCapacityInSiUnitsIsPlacedRoundedDownAndDiffShowsBothFigures() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), volume("a", "1TB", true));

        NvmeshRun diff = NvmeshRun.of("diff", dir.toString(), repo());

        assertThat(diff.exitCode()).as(diff.err()).isEqualTo(1);
        assertThat(diff.out()).contains("+ Volume a", "spec.capacity: 1TB (953674MiB)", "+ create a (931.3 GiB)");
        assertThat(NvmeshRun.of("apply", dir.toString(), repo()).exitCode()).isZero();
        assertThat(NvmeshRun.of("reconcile", "--once", repo()).exitCode()).isZero();

        Files.writeString(dir.resolve("a.yaml"), volume("a", "1.5TB", true));
        NvmeshRun grow = NvmeshRun.of("diff", dir.toString(), repo());
        assertThat(grow.out()).contains("spec.capacity: 1TB (953674MiB) → 1.5TB (1430511MiB)",
                "~ extend a (931.3 GiB → 1.4 TiB)");
    }

    @Test
    void aVolumeThatDoesNotFitIsQuotedTheLargestItsPolicyCanPlace() throws Exception {
        Files.writeString(dir.resolve("small.yaml"), volume("small", "1TiB", true));
        Files.writeString(dir.resolve("huge.yaml"), volume("huge", "8TiB", true));

        NvmeshRun diff = NvmeshRun.of("diff", dir.toString(), repo());
        NvmeshRun json = NvmeshRun.of("diff", "-o", "json", dir.toString(), repo());

        assertThat(diff.exitCode()).isEqualTo(1);
        assertThat(diff.out()).contains("! cannot create huge: ",
                "; does not fit: the largest volume policy p can place beside the rest of this plan is 3 TiB");
        assertThat(json.out()).contains("\"largestPlaceable\" : {", "\"policy\" : \"p\"",
                "\"bytes\" : " + 3L * (1L << 40));
    }
}
