package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import tools.jackson.databind.JsonNode;

class ValidateCommandTest {

    private static final String POLICY = """
            apiVersion: nvmesh.io/v1
            kind: VolumePolicy
            metadata: {name: fast}
            spec: {layout: raid10}
            """;
    private static final String BAD_VOLUME = """
            apiVersion: nvmesh.io/v1
            kind: Volume
            metadata: {name: db-01}
            spec:
              policy: fast
              capacity: "2XB"
              rebuildPriority: 11
            """;

    @TempDir
    Path dir;
    String good;
    String bad;

    @BeforeEach
    void repository() throws IOException {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/fast.yaml"), POLICY);
        Files.writeString(dir.resolve("volume.yaml"), BAD_VOLUME);
        good = dir.resolve("policies").toString();
        bad = dir.toString();
    }

    @Test
    void validInputExitsZeroWithASummary() {
        NvmeshRun run = NvmeshRun.of("validate", good);

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("1 manifest in 1 file: valid\n");
    }

    @Test
    void reportsEveryProblemOnePerLineAndExitsOne() {
        NvmeshRun run = NvmeshRun.of("validate", bad);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out().lines()).containsExactly(
                dir.resolve("volume.yaml") + ":6:13: Volume db-01: spec.capacity: \"2XB\" is not a size (use e.g. 500GiB, 500Gi or 2TB)",
                dir.resolve("volume.yaml") + ":7:20: Volume db-01: spec.rebuildPriority: 11 is out of range (allowed 0..10)",
                "1 manifest, 2 problems in 1 file");
    }

    @Test
    void aPathThatDoesNotExistIsAUsageError() {
        NvmeshRun run = NvmeshRun.of("validate", dir.resolve("nope").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("error: no such file or directory: " + dir.resolve("nope") + "\n");
    }

    @Test
    void readsStandardInputForDash() {
        NvmeshRun run = NvmeshRun.withStdin(POLICY, "validate", "-");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("1 manifest in 1 file: valid\n");
    }

    @Test
    void writesJsonWithAFormatVersion() {
        NvmeshRun run = NvmeshRun.of("validate", "-o", "json", bad);

        JsonNode json = JsonReport.JSON.readTree(run.out());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(json.path("formatVersion").asInt()).isEqualTo(1);
        assertThat(json.path("manifests").asInt()).isEqualTo(1);
        assertThat(json.path("problems")).hasSize(2);
        JsonNode first = json.path("problems").path(0);
        assertThat(first.path("file").asString()).endsWith("volume.yaml");
        assertThat(first.path("line").asInt()).isEqualTo(6);
        assertThat(first.path("column").asInt()).isEqualTo(13);
        assertThat(first.path("object").asString()).isEqualTo("Volume db-01");
        assertThat(first.path("path").asString()).isEqualTo("spec.capacity");
        assertThat(first.path("message").asString()).startsWith("\"2XB\" is not a size");
    }

    @Test
    void writesJunitWithOneTestCasePerFileAndOneFailurePerProblem() throws Exception {
        NvmeshRun run = NvmeshRun.of("validate", "-o", "junit", bad);

        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(run.out())));
        Element suite = (Element) xml.getElementsByTagName("testsuite").item(0);
        assertThat(suite.getAttribute("tests")).isEqualTo("2");
        assertThat(xml.getElementsByTagName("testcase").getLength()).isEqualTo(2);
        assertThat(xml.getElementsByTagName("failure").getLength()).isEqualTo(2);
        Element failure = (Element) xml.getElementsByTagName("failure").item(0);
        assertThat(((Element) failure.getParentNode()).getAttribute("name")).endsWith("volume.yaml");
    }

    @Test
    void writesGithubAnnotations() {
        NvmeshRun run = NvmeshRun.of("validate", "-o", "github", bad);

        assertThat(run.out().lines().findFirst()).hasValue("::error file=" + dir.resolve("volume.yaml")
                + ",line=6,col=13,title=nvmesh validate::Volume db-01: spec.capacity: \"2XB\" is not a size (use e.g. 500GiB%2C 500Gi or 2TB)"
                        .replace("%2C", ","));
    }

    @Test
    void escapesGithubCommandProperties() {
        assertThat(GithubReport.property("a:b,c%d\ne")).isEqualTo("a%3Ab%2Cc%25d%0Ae");
        assertThat(GithubReport.data("50%\nnext")).isEqualTo("50%25%0Anext");
    }

    @Test
    void writesMinimalSarif() {
        NvmeshRun run = NvmeshRun.of("validate", "--output=sarif", bad);

        JsonNode sarif = JsonReport.JSON.readTree(run.out());
        assertThat(sarif.path("version").asString()).isEqualTo("2.1.0");
        JsonNode runNode = sarif.path("runs").path(0);
        assertThat(runNode.path("tool").path("driver").path("name").asString()).isEqualTo("nvmesh");
        JsonNode result = runNode.path("results").path(0);
        assertThat(result.path("level").asString()).isEqualTo("error");
        JsonNode region = result.path("locations").path(0).path("physicalLocation").path("region");
        assertThat(region.path("startLine").asInt()).isEqualTo(6);
        assertThat(region.path("startColumn").asInt()).isEqualTo(13);
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        NvmeshRun run = NvmeshRun.of("validate", "-o", "yaml", good);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("text, json, junit, github, sarif");
    }
}
