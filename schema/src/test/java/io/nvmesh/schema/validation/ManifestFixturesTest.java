package io.nvmesh.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under {@code manifests/invalid/} holds exactly one problem, written on its first line as
 * {@code # expect: <rendered problem>}; the files under {@code manifests/valid/} hold none.
 */
class ManifestFixturesTest {

    private static final Path FIXTURES = Path.of("src/test/resources/manifests");
    static final ManifestValidator VALIDATOR = ManifestValidator.create();

    static Stream<String> invalidFiles() throws IOException {
        try (Stream<Path> files = Files.list(FIXTURES.resolve("invalid"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void reportsExactlyTheExpectedProblem(String name) throws IOException {
        byte[] content = Files.readAllBytes(FIXTURES.resolve("invalid").resolve(name));
        String firstLine = new String(content, 0, indexOf(content, (byte) '\n'), StandardCharsets.US_ASCII);
        assertThat(firstLine).startsWith("# expect: ");

        ValidationReport report = VALIDATOR.validateSources(List.of(new ManifestSource(name, content)));

        assertThat(report.problems()).map(Problem::render).containsExactly(firstLine.substring("# expect: ".length()));
    }

    @Test
    void validFixturesHaveNoProblems() throws IOException {
        ValidationReport report = VALIDATOR.validate(List.of(FIXTURES.resolve("valid").toString()), InputStream.nullInputStream());

        assertThat(report.problems()).isEmpty();
        assertThat(report.fileCount()).isEqualTo(5);
        assertThat(report.manifestCount()).isEqualTo(11);
    }

    @Test
    void invalidFixturesCoverEveryHostileInputKind() throws IOException {
        List<String> names = invalidFiles().toList();
        assertThat(names).contains("alias-bomb.yaml", "deep-nesting.yaml", "duplicate-key.yaml", "java-tag.yaml",
                "custom-tag.yaml", "tab-indentation.yaml", "empty-document.yaml", "top-level-list.yaml",
                "not-utf8.yaml", "binary-content.yaml", "yaml-syntax-error.yaml");
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }
}
