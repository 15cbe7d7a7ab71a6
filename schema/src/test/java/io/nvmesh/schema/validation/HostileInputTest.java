package io.nvmesh.schema.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.schema.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input written to hurt: each case ends as one clear problem, in bounded time and memory, never as an exception.
 * (The fixtures under manifests/invalid cover the same cases with exact messages.)
 */
class HostileInputTest {

    private static final ManifestValidator VALIDATOR = ManifestFixturesTest.VALIDATOR;

    private static List<Problem> problems(String text) {
        return VALIDATOR.validateSources(List.of(new ManifestSource("x.yaml", text.getBytes(StandardCharsets.UTF_8))))
                .problems();
    }

    @Test
    void refusesAFileOverTheSizeLimitBeforeParsingIt(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.yaml");
        Files.write(big, new byte[Limits.MAX_FILE_BYTES + 1]);

        ValidationReport report = VALIDATOR.validate(List.of(big.toString()), InputStream.nullInputStream());

        assertThat(report.problems()).singleElement().extracting(Problem::message).asString()
                .contains("over the limit of 4 MiB");
    }

    @Test
    void readsAtMostTheLimitFromAnEndlessStandardInput() throws IOException {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'a';
            }
        };

        ValidationReport report = VALIDATOR.validate(List.of("-"), endless);

        assertThat(report.problems()).singleElement().extracting(Problem::render).asString()
                .startsWith("-: file is").contains("over the limit");
    }

    @Test
    void billionLaughsStopsAtTheFirstAlias() {
        StringBuilder yaml = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'z'; c++) {
            String prev = String.valueOf((char) (c - 1));
            yaml.append(c).append(": &").append(c).append(" [")
                    .append(("*" + prev + ",").repeat(9)).append("]\n");
        }

        assertThat(problems(yaml.toString())).singleElement().extracting(Problem::message).asString()
                .startsWith("aliases (*a) are not allowed");
    }

    @Test
    void refusesEvenAScalarAlias() {
        List<Problem> problems = problems("""
                apiVersion: &v nvmesh.io/v1
                kind: Drive
                metadata: {name: d1}
                spec: {serial: *v}
                """);

        assertThat(problems).singleElement().extracting(Problem::render)
                .isEqualTo("x.yaml:4:16: aliases (*v) are not allowed in manifests; write the value out");
    }

    @Test
    void refusesDeepNestingWithoutOverflowingTheStack() {
        String deep = "spec: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";

        assertThat(problems(deep)).singleElement().extracting(Problem::message)
                .isEqualTo("document is nested deeper than 50 levels");
    }

    @Test
    void neverConstructsAJavaTag() {
        assertThat(problems("!!java.io.File [/etc/passwd]\n")).singleElement().extracting(Problem::message)
                .isEqualTo("tag !!java.io.File is not allowed; manifests hold plain values only");
    }

    @Test
    void acceptsAWhollyEmptyFileAndOneWithOnlyComments() {
        assertThat(problems("")).isEmpty();
        assertThat(problems("# nothing here yet\n\n")).isEmpty();
        assertThat(problems("---\n")).isEmpty();
    }

    @Test
    void reportsAnEmptyDocumentBetweenOthers() {
        List<Problem> problems = problems("""
                apiVersion: nvmesh.io/v1
                kind: Drive
                metadata: {name: d1}
                spec: {serial: S1}
                ---
                ---
                apiVersion: nvmesh.io/v1
                kind: Drive
                metadata: {name: d2}
                spec: {serial: S2}
                """);

        assertThat(problems).singleElement().extracting(Problem::render)
                .isEqualTo("x.yaml:6:1: empty document (remove the extra '---')");
    }

    @Test
    void reportsAScalarAtTopLevel() {
        assertThat(problems("just text\n")).singleElement().extracting(Problem::message).asString()
                .endsWith("not a value");
    }

    @Test
    void keepsDocumentsBeforeASyntaxError() {
        ValidationReport report = VALIDATOR.validateSources(List.of(new ManifestSource("x.yaml", """
                apiVersion: nvmesh.io/v1
                kind: Drive
                metadata: {name: d1}
                spec: {serial: S1}
                ---
                kind: : :
                """.getBytes(StandardCharsets.UTF_8))));

        assertThat(report.manifestCount()).isEqualTo(1);
        assertThat(report.problems()).singleElement().extracting(Problem::line).isEqualTo(6);
    }

    @Test
    void reportsTheLineOfAnInvalidUtf8Byte() {
        byte[] bytes = "kind: Drive\nmetadata:\n  name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);

        ValidationReport report = VALIDATOR.validateSources(List.of(new ManifestSource("x.yaml", bytes)));

        assertThat(report.problems()).singleElement().extracting(Problem::render)
                .isEqualTo("x.yaml:3: not UTF-8 text: invalid byte 0xE9 at offset 33; save the file as UTF-8");
    }

    @Test
    void validatesStandardInput() throws IOException {
        byte[] yaml = "apiVersion: nvmesh.io/v1\nkind: Drive\nmetadata: {name: d1}\nspec: {serial: S1}\n"
                .getBytes(StandardCharsets.UTF_8);

        ValidationReport report = VALIDATOR.validate(List.of("-"), new ByteArrayInputStream(yaml));

        assertThat(report.valid()).isTrue();
        assertThat(report.files()).containsExactly("-");
        assertThat(report.manifests()).singleElement().extracting(m -> m.location().file()).isEqualTo("-");
    }
}
