package io.nvmesh.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The files that are not manifests, read through the manifests' reader and checked against their own schemas: every
 * file under {@code files/<format>/invalid/} holds exactly one problem, written on its first line as {@code # expect:
 * <rendered problem>}; the files under {@code files/<format>/valid/} hold none.
 */
class FileFormatFixturesTest {

    private static final Path FIXTURES = Path.of("src/test/resources/files");

    static Stream<Arguments> files(String kind) throws IOException {
        Stream.Builder<Arguments> out = Stream.builder();
        for (FileFormat format : FileFormat.values()) {
            Path dir = FIXTURES.resolve(folder(format)).resolve(kind);
            try (Stream<Path> files = Files.list(dir)) {
                files.map(f -> f.getFileName().toString()).sorted().forEach(n -> out.add(Arguments.of(format, n)));
            }
        }
        return out.build();
    }

    static Stream<Arguments> invalidFiles() throws IOException {
        return files("invalid");
    }

    static Stream<Arguments> validFiles() throws IOException {
        return files("valid");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidFiles")
    void reportsExactlyTheExpectedProblem(FileFormat format, String name) throws IOException {
        byte[] content = Files.readAllBytes(FIXTURES.resolve(folder(format)).resolve("invalid").resolve(name));
        String text = new String(content, StandardCharsets.UTF_8);
        String firstLine = text.lines().findFirst().orElse("");
        assertThat(firstLine).startsWith("# expect: ");

        CheckedFile file = CheckedFile.read(format, name, content);

        assertThat(file.problems()).map(Problem::render).containsExactly(firstLine.substring("# expect: ".length()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("validFiles")
    void validFilesHaveNoProblems(FileFormat format, String name) throws IOException {
        byte[] content = Files.readAllBytes(FIXTURES.resolve(folder(format)).resolve("valid").resolve(name));

        CheckedFile file = CheckedFile.read(format, name, content);

        assertThat(file.problems()).isEmpty();
        assertThat(file.readable()).isTrue();
    }

    @Test
    void theShippedExamplesFollowTheirSchemas() throws IOException {
        Path fleet = Path.of("../samples/inventory/fleet.yaml");
        Path reconciler = Path.of("../packaging/src/dist/conf/r1.yaml");

        assertThat(CheckedFile.read(FileFormat.INVENTORY, fleet.toString(), Files.readAllBytes(fleet)).problems())
                .isEmpty();
        assertThat(CheckedFile.read(FileFormat.RECONCILER_CONFIG, reconciler.toString(),
                Files.readAllBytes(reconciler)).problems()).isEmpty();
    }

    @Test
    void fieldsReadValuesAsWrittenAndNotWhereTheSchemaRefusedThem() {
        CheckedFile file = CheckedFile.read(FileFormat.RECONCILER_CONFIG, "r1.yaml",
                "id: r1\ncluster:\n  missedHeartbeats: lots\n  heartbeatInterval: 0500ms\n".getBytes(
                        StandardCharsets.UTF_8));
        CheckedFile.Field cluster = file.root().get("cluster");

        assertThat(file.problems()).map(Problem::render).containsExactly("r1.yaml:3:21: cluster.missedHeartbeats: "
                + "expected an integer, found a string (\"lots\")");
        assertThat(cluster.get("missedHeartbeats").present()).isTrue();
        assertThat(cluster.get("missedHeartbeats").text()).isEmpty();
        assertThat(cluster.get("heartbeatInterval").text()).contains("0500ms");
        assertThat(cluster.get("startupGrace").present()).isFalse();
        assertThat(cluster.get("startupGrace").problem("x").render()).isEqualTo("r1.yaml:3:3: cluster.startupGrace: x");
        assertThat(file.root().get("id").keyProblem("y").render()).isEqualTo("r1.yaml:1:1: id: y");
    }

    @Test
    void everyFormatHasFixturesOnBothSides() throws IOException {
        assertThat(invalidFiles().map(a -> a.get()[0]).distinct()).containsExactlyInAnyOrder(
                (Object[]) FileFormat.values());
        assertThat(validFiles().map(a -> a.get()[0]).distinct()).containsExactlyInAnyOrder(
                (Object[]) FileFormat.values());
        assertThat(Arrays.stream(FileFormat.values()).map(FileFormat::json)).allSatisfy(json -> assertThat(json)
                .contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\""));
    }

    private static String folder(FileFormat format) {
        return format.resource().replaceFirst(".*/", "").replace(".schema.json", "");
    }
}
