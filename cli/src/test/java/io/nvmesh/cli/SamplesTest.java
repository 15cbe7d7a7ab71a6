package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The sample desired-state repository must always validate, and point editors at schemas that exist. */
class SamplesTest {

    private static final Path SAMPLES = Path.of("../samples");

    @Test
    void everySampleManifestIsValid() {
        NvmeshRun run = NvmeshRun.of("validate", SAMPLES.toString());

        assertThat(run.out()).endsWith(": valid\n");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void everySampleManifestNamesAnExistingSchemaOnItsFirstLine() throws IOException {
        List<Path> manifests;
        try (Stream<Path> files = Files.walk(SAMPLES)) {
            manifests = files.filter(f -> f.toString().endsWith(".yaml") && !f.startsWith(SAMPLES.resolve("ci"))
                    && !f.startsWith(SAMPLES.resolve("inventory")))
                    .toList();
        }
        assertThat(manifests).hasSizeGreaterThan(10);
        for (Path file : manifests) {
            String first = Files.readAllLines(file).get(0);
            assertThat(first).as(file.toString()).startsWith("# yaml-language-server: $schema=");
            Path schema = file.getParent().resolve(first.substring(first.indexOf('=') + 1)).normalize();
            assertThat(schema).as(file.toString()).isRegularFile();
        }
    }
}
