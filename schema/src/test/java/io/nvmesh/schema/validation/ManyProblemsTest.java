package io.nvmesh.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Problem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Problems found across the whole set (duplicate names, undefined references) are located by composing their files
 * again. One composition per problem, each tree kept, ran a 1 GiB heap out on 99,600 duplicate names (a local
 * checkout laid over a branch holding every volume again under other paths). Work and memory must grow with files,
 * not with problems × file size.
 */
class ManyProblemsTest {

    private static final int FILES = 20;
    private static final int PER_FILE = 25;

    private static String volumes(int file) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < PER_FILE; i++) {
            int n = file * PER_FILE + i;
            b.append("""
                    apiVersion: nvmesh.io/v1
                    kind: Volume
                    metadata:
                      name: vol-%d
                    spec:
                      policy: %s
                      capacity: 1GiB
                    ---
                    """.formatted(n, n % 2 == 0 ? "p" : "missing"));
        }
        return b.toString();
    }

    @Test
    void locatesEveryProblemOfAFileInOneCompositionOfIt() {
        List<ManifestSource> sources = new ArrayList<>();
        sources.add(new ManifestSource("policy.yaml", """
                apiVersion: nvmesh.io/v1
                kind: VolumePolicy
                metadata: {name: p}
                spec: {layout: concatenated}
                """.getBytes(StandardCharsets.UTF_8)));
        for (int f = 0; f < FILES; f++) {
            byte[] text = volumes(f).getBytes(StandardCharsets.UTF_8);
            sources.add(new ManifestSource("a/v" + f + ".yaml", text));
            sources.add(new ManifestSource("b/v" + f + ".yaml", text)); // every volume defined twice
        }
        long before = YamlDocuments.COMPOSED.sum();

        ValidationReport report = ManifestFixturesTest.VALIDATOR.validateSources(sources);

        long composed = YamlDocuments.COMPOSED.sum() - before;
        List<Problem> duplicates = report.problems().stream().filter(p -> p.message().contains("already defined"))
                .toList();
        List<Problem> undefined = report.problems().stream().filter(p -> p.message().contains("is not defined"))
                .toList();
        assertThat(duplicates).hasSize(FILES * PER_FILE);
        // odd volumes name a missing policy, in both copies
        assertThat(undefined).hasSize(FILES * PER_FILE);
        // each file composed to check it, and at most once more to locate all of its problems (was: once a problem)
        assertThat(composed).isLessThanOrEqualTo(1 + 2L * 2 * FILES);
        // located exactly: the name of document i of a file is on line 8 * i + 4, column 9
        Problem second = duplicates.stream().filter(p -> p.object().equals("Volume vol-1")).findFirst().orElseThrow();
        assertThat(second.render()).startsWith("b/v0.yaml:12:9: Volume vol-1: metadata.name: \"vol-1\" is already "
                + "defined at a/v0.yaml:9:1");
        Problem policy = undefined.stream().filter(p -> p.object().equals("Volume vol-27") && p.file().startsWith("a/"))
                .findFirst().orElseThrow();
        assertThat(policy.render()).startsWith("a/v1.yaml:22:11: Volume vol-27: spec.policy: VolumePolicy \"missing\" "
                + "is not defined");
    }
}
