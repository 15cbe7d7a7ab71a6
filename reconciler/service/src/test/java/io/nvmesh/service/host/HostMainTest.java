package io.nvmesh.service.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nvmesh agent --dry-run --orders FILE} on the fixture host prints the reviewed plans of the golden files
 * ({@code src/test/resources/host/*.plan}; the fixture's folder is shown as {@code $ROOT}), performs nothing, and bad
 * input is one clear line with a non-zero exit. Set {@code -Dnvmesh.golden.update=true} to rewrite the golden files
 * after a reviewed change.
 */
class HostMainTest {

    @TempDir
    Path root;

    @Test
    void dryRunOfATargetPrintsTheGoldenPlanAndPerformsNothing() throws Exception {
        HostFixture host = HostFixture.standard(root);
        FakeHostTools tools = new FakeHostTools(host, Map.of());
        Result r = run(tools, "--dry-run", "--config", copy("target-agent.yaml"), "--orders", copy(
                "target-orders.json"));
        assertThat(r.err).isEmpty();
        assertThat(r.code).isZero();
        golden("target-dry-run.plan", r.out);
        assertThat(tools.changes()).as("a dry run only asks").isEmpty();
        assertThat(Files.list(host.roots().nvmet().resolve("subsystems")).count()).isZero();
    }

    @Test
    void dryRunOfAClientPrintsTheGoldenPlanWithErasureCodingRefused() throws Exception {
        HostFixture host = HostFixture.standard(root);
        FakeHostTools tools = new FakeHostTools(host, Map.of());
        Result r = run(tools, "--dry-run", "--config", copy("client-agent.yaml"), "--orders", copy(
                "client-orders.json"));
        assertThat(r.err).isEmpty();
        assertThat(r.code).isZero();
        golden("client-dry-run.plan", r.out);
        assertThat(tools.changes()).isEmpty();
    }

    @Test
    void badConfigurationIsReportedWithFileLineAndColumn() throws Exception {
        Path cfg = root.resolve("agent.yaml");
        Files.writeString(cfg, "nodeId: Stor_01\nrole: storage\nconnect: [ftp://x]\ncolour: blue\n");
        Result r = run(new FakeHostTools(HostFixture.standard(root.resolve("h")), Map.of()), "--config",
                cfg.toString());
        assertThat(r.code).isEqualTo(HostMain.INPUT);
        assertThat(r.err.lines()).containsExactly(
                cfg + ":1:9: nodeId: \"Stor_01\" is not a valid node id (1-63 of a-z 0-9 . _ -, starting with a "
                        + "letter or digit)",
                cfg + ":2:7: role: \"storage\" is not one of target, client, both",
                cfg + ":3:11: connect[0]: \"ftp://x\" is not an http(s) base URL of a reconciler",
                cfg + ":4:1: unknown field \"colour\" (known: client, connect, labels, nodeId, paths, pollInterval, "
                        + "role, smartLog, target, tokenFile)");
    }

    @Test
    void usageErrorsSayWhatIsMissing() {
        Result r = run(new FakeHostTools(HostFixture.standard(root), Map.of()), "--dry-run");
        assertThat(r.code).isEqualTo(HostMain.USAGE);
        assertThat(r.err).startsWith("error: --config FILE is required\nusage: nvmesh agent --config FILE");
        Result live = run(new FakeHostTools(HostFixture.standard(root), Map.of()), "--config", "x.yaml",
                "--orders", "o.json");
        assertThat(live.err).startsWith("error: --orders is for --dry-run");
    }

    @Test
    void ordersForTheWrongRoleAreRefused() throws Exception {
        Result r = run(new FakeHostTools(HostFixture.standard(root), Map.of()), "--dry-run", "--config",
                copy("target-agent.yaml"), "--orders", copy("client-orders.json"));
        assertThat(r.code).isEqualTo(HostMain.INPUT);
        assertThat(r.err).endsWith("orders for a client, but this host's role is target\n");
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(CommandRunner tools, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HostMain.run(new PrintWriter(out), new PrintWriter(err), null, tools, args);
        return new Result(code, out.toString(), err.toString());
    }

    private String copy(String resource) throws Exception {
        Path p = root.resolve(resource);
        try (var in = getClass().getResourceAsStream("/host/" + resource)) {
            Files.write(p, in.readAllBytes());
        }
        return p.toString();
    }

    private void golden(String name, String actual) throws Exception {
        String shown = actual.replace(root.toString(), "$ROOT");
        Path file = Path.of("src/test/resources/host").resolve(name);
        if (Boolean.getBoolean("nvmesh.golden.update")) {
            Files.writeString(file, shown, StandardCharsets.UTF_8);
        }
        assertThat(shown).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
