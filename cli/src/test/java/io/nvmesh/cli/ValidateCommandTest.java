package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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

    @Test
    void checksAnInventoryAndConfigurationsNamedByOptionWithTheManifests() throws IOException {
        Path inventory = Files.writeString(dir.resolve("fleet.yaml"), """
                apiVersion: nvmesh.io/v1
                kind: Inventory
                targets:
                  - id: t1
                    drives:
                      - {serial: S1, capacity: 1TB}
                      - {serial: S1, capacity: 1TB}
                """);
        Path config = Files.writeString(dir.resolve("r1.conf"), "id: r1\ncluster:\n  missedHeartbeats: 0\n");
        Path agent = Files.writeString(dir.resolve("agent.conf"), "nodeId: stor-01\nrole: storage\n"
                + "connect: [https://10.0.0.5:7420]\n");

        NvmeshRun run = NvmeshRun.of("validate", good, "--inventory", inventory.toString(), "--config",
                config.toString(), "--agent-config", agent.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out().lines()).containsExactly(
                agent + ":2:7: role: \"storage\" is not one of target, client, both",
                inventory + ":7:18: targets[0].drives[1].serial: drive S1 is listed twice (also "
                        + "targets[0].drives[0])",
                config + ":3:21: cluster.missedHeartbeats: 0 is out of range (allowed 1..100)",
                "1 manifest, 3 problems in 3 files");
    }

    @Test
    void namedFilesAloneLeaveTheCurrentDirectoryAloneAndReportInEveryFormat() throws IOException {
        Path config = Files.writeString(dir.resolve("r1.yaml"), "id: r1\nlisten: 7420\n");
        Path broken = Files.writeString(dir.resolve("r2.yaml"), "id: r2\ndataDir: !path /tmp\n");

        NvmeshRun ok = NvmeshRun.of("validate", "--config", config.toString());
        NvmeshRun json = NvmeshRun.of("validate", "-o", "json", "--config", broken.toString());
        NvmeshRun github = NvmeshRun.of("validate", "-o", "github", "--config", broken.toString());

        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).isEqualTo("0 manifests in 1 file: valid\n");
        assertThat(json.exitCode()).isEqualTo(1);
        JsonNode problem = JsonReport.JSON.readTree(json.out()).path("problems").path(0);
        assertThat(problem.path("file").asString()).isEqualTo(broken.toString());
        assertThat(problem.path("line").asInt()).isEqualTo(2);
        assertThat(problem.path("column").asInt()).isEqualTo(10);
        assertThat(problem.path("message").asString()).isEqualTo("tag !path is not allowed; reconciler "
                + "configuration files hold plain values only");
        assertThat(github.out()).contains("file=" + broken + ",line=2,col=10");
    }

    @Test
    void checksACredentialsFileAsAnInstanceWouldBeforeItIsCopiedToThem() throws IOException {
        Path good = dir.resolve("credentials.yaml");
        CredentialsFile.write(good, Credentials.of(List.of(Credential.ofToken("ops", Role.ADMIN, List.of(),
                Credential.newToken()))));
        Path bad = Files.writeString(dir.resolve("bad-credentials.yaml"), """
                credentials:
                  - name: t-001
                    role: agent
                    sha256: %s
                  - name: ops
                    role: admin
                    sha256: %s
                    expires: 2027-06-01
                """.formatted("a".repeat(64), "a".repeat(64).toUpperCase(Locale.ROOT)));

        NvmeshRun ok = NvmeshRun.of("validate", "--credentials", good.toString());
        NvmeshRun run = NvmeshRun.of("validate", "--credentials", bad.toString());
        NvmeshRun json = NvmeshRun.of("validate", "-o", "json", "--credentials", bad.toString());

        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).isEqualTo("0 manifests in 1 file: valid\n");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out().lines()).containsExactly(
                bad + ":2:5: credentials[0]: agent credential t-001 must name the node ids it speaks for",
                bad + ":7:13: credentials[1].sha256: \"" + "A".repeat(57) + "...\" is not a SHA-256 (64 lower-case "
                        + "hex digits; the token itself is never stored)",
                bad + ":8:14: credentials[1].expires: must be a UTC time such as 2027-06-01T00:00:00Z",
                "0 manifests, 3 problems in 1 file");
        JsonNode problem = JsonReport.JSON.readTree(json.out()).path("problems").path(0);
        assertThat(problem.path("line").asInt()).isEqualTo(2);
        assertThat(problem.path("column").asInt()).isEqualTo(5);
    }

    @Test
    void aNamedFileThatDoesNotExistOrIsADirectoryIsAUsageError() {
        NvmeshRun missing = NvmeshRun.of("validate", "--inventory", dir.resolve("nope.yaml").toString());
        NvmeshRun directory = NvmeshRun.of("validate", "--agent-config", dir.toString());

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: no such file or directory: " + dir.resolve("nope.yaml") + "\n");
        assertThat(directory.exitCode()).isEqualTo(2);
        assertThat(directory.err()).isEqualTo("error: " + dir + " is a directory; --inventory, --config, "
                + "--agent-config and --credentials each take one file\n");
    }
}
