package io.nvmesh.service.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.allocation.Drive;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.config.InstanceConfig;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SimMain against one real instance, driven through its loopback control. */
class SimMainTest {

    private static final String SECRET = io.nvmesh.service.TestAuth.AGENT;

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    private String token;

    private HttpResponse<String> call(String method, URI url) throws Exception {
        return call(method, url, token);
    }

    private HttpResponse<String> call(String method, URI url, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The token from the {@code control-token} line, as a caller of the process reads it. */
    private static String printedToken(String output) {
        return output.lines().filter(l -> l.startsWith("control-token ")).map(l -> l.substring(14)).findFirst()
                .orElseThrow(() -> new AssertionError("no control-token line in " + output));
    }

    @Test
    void theControlInjectsFaultsThatTheOwnerSees() throws Exception {
        InstanceConfig config = InstanceConfig.defaults("r1", data).withListen("127.0.0.1", 0)
                .withAuth(io.nvmesh.service.TestAuth.single());
        StringWriter out = new StringWriter();
        try (ReconcilerNode node = ReconcilerNode.start(config);
             SimMain.Running sim = SimMain.start(new PrintWriter(out), null, "--targets", "4", "--drives", "2",
                     "--clients", "2", "--seed", "3", "--connect", node.url().toString(), "--agent-token", SECRET,
                     "--control", "127.0.0.1:0")) {
            URI control = sim.control().url();
            assertThat(out.toString()).contains("fleet 4 targets x 2 drives, 2 clients, seed 3",
                    "control " + control);
            token = printedToken(out.toString());
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(node.agents().connectedNodes())
                    .hasSize(6));
            Drive d = sim.fleet().inventory().targets().get(0).drives().get(0);

            assertThat(call("POST", control.resolve("/fail-drive?serial=" + d.serial())).statusCode()).isEqualTo(200);
            assertThat(call("POST", control.resolve("/stop-target?id=t-002")).statusCode()).isEqualTo(200);
            assertThat(call("POST", control.resolve("/kill-client?id=c-001")).statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(node.agents().target("t-001").orElseThrow().drives()).anySatisfy(x -> {
                    assertThat(x.serial()).isEqualTo(d.serial());
                    assertThat(x.health().name()).isEqualTo("FAILED");
                });
                assertThat(node.agents().connectedNodes()).containsExactly("c-002", "t-001", "t-003", "t-004");
            });
            assertThat(call("POST", control.resolve("/start-target?id=t-002")).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(node.agents().connectedNodes())
                    .contains("t-002"));
            assertThat(call("GET", control.resolve("/status")).body())
                    .isEqualTo("{\"targets\":4,\"clients\":2,\"connected\":5,\"byOwner\":{\"r1\":5}}\n");
            assertThat(call("GET", control.resolve("/fail-drive?serial=x")).statusCode()).isEqualTo(405);
            assertThat(call("POST", control.resolve("/fail-drive")).statusCode()).isEqualTo(400);
            assertThat(call("POST", control.resolve("/stop-target?id=t-404")).body())
                    .contains("no node t-404 in the fleet");
        }
    }

    @Test
    void overTlsEachNodePresentsItsOwnCertificateFromTheFolderAndNeedsNoToken() throws Exception {
        io.nvmesh.core.certs.CertificateAuthority ca = io.nvmesh.core.certs.CertificateAuthority.createIn(data,
                "test", Duration.ofDays(30));
        ca.issue(new io.nvmesh.core.certs.CertificateName(io.nvmesh.core.credentials.Role.INSTANCE, "r1", List.of()),
                List.of("127.0.0.1"), Duration.ofDays(1)).write(data, "r1");
        Path agents = java.nio.file.Files.createDirectories(data.resolve("agents"));
        List<String> nodes = List.of("t-001", "t-002", "c-001");
        List<io.nvmesh.core.credentials.Credential> credentials = new java.util.ArrayList<>();
        for (String n : nodes) {
            ca.issue(new io.nvmesh.core.certs.CertificateName(io.nvmesh.core.credentials.Role.AGENT, n, List.of(n)),
                    List.of(), Duration.ofDays(1)).write(agents, n);
            credentials.add(io.nvmesh.core.credentials.Credential.ofToken(n, io.nvmesh.core.credentials.Role.AGENT,
                    List.of(n), "never-handed-out-" + n + "-0000000"));
        }
        Path file = data.resolve("credentials.yaml");
        io.nvmesh.core.credentials.CredentialsFile.write(file, io.nvmesh.core.credentials.Credentials.of(credentials));
        InstanceConfig config = InstanceConfig.defaults("r1", data.resolve("r1")).withListen("127.0.0.1", 0)
                .withAuth(io.nvmesh.service.config.AuthConfig.none().withCredentialsFile(file))
                .withTls(io.nvmesh.service.config.TlsConfig.of(data.resolve("r1.pem"), data.resolve("r1-key.pem"),
                        java.util.Optional.of(data.resolve("ca.pem")))
                        .withClientAuth(io.nvmesh.service.config.TlsConfig.ClientAuth.NEED));
        try (ReconcilerNode node = ReconcilerNode.start(config);
             SimMain.Running sim = SimMain.start(new PrintWriter(new StringWriter()), null, "--targets", "2",
                     "--drives", "1", "--clients", "1", "--connect", node.url().toString(), "--cacert",
                     data.resolve("ca.pem").toString(), "--agent-certs", agents.toString())) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(node.agents().connectedNodes())
                    .containsExactlyInAnyOrderElementsOf(nodes));
        }

        java.nio.file.Files.delete(agents.resolve("c-001.pem"));
        assertThatThrownBy(() -> SimMain.start(new PrintWriter(new StringWriter()), null, "--targets", "2",
                "--drives", "1", "--clients", "1", "--connect", "https://127.0.0.1:1", "--agent-certs",
                agents.toString()))
                .hasMessage("--agent-certs " + agents + " has no certificate for node c-001 (c-001.pem and "
                        + "c-001-key.pem; nvmesh certs issue --agent c-001)");
    }

    @Test
    void theControlAnswersOnlyItsToken() throws Exception {
        SimulatedFleet fleet = SimulatedFleet.create(new SimulatedFleet.Spec(1, 1, 0, 1));
        try (SimControl control = SimControl.start("127.0.0.1", 0, fleet, "the-right-token")) {
            Drive d = fleet.inventory().targets().get(0).drives().get(0);
            URI fail = control.url().resolve("/fail-drive?serial=" + d.serial());
            for (String wrong : new String[] {null, "", "the-right-tokeN", "the-right-token-and-more", "x"}) {
                HttpResponse<String> r = call("POST", fail, wrong);
                assertThat(r.statusCode()).as("token %s", wrong).isEqualTo(401);
                assertThat(r.body()).contains("the control needs its token").hasLineCount(1);
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"nvmesh-sim\"");
            }
            assertThat(call("GET", control.url().resolve("/status"), null).statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(fail).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Basic dGhlLXJpZ2h0LXRva2Vu").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(fleet.inventory().targets().get(0).drives().get(0).health().name()).isEqualTo("OK");

            HttpResponse<String> right = call("POST", fail, "the-right-token");
            assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
            assertThat(fleet.inventory().targets().get(0).drives().get(0).health().name()).isEqualTo("FAILED");
        }
    }

    @Test
    void aTokenGivenToTheSimulatorIsUsedAndNotPrintedAndAMadeOneIsRandom() {
        assertThat(SimMain.randomToken()).hasSize(32).matches("[A-Za-z0-9_-]+")
                .isNotEqualTo(SimMain.randomToken());
        StringWriter out = new StringWriter();
        try (SimMain.Running sim = SimMain.start(new PrintWriter(out), SECRET, "--targets", "1", "--drives", "1",
                "--clients", "0", "--connect", "http://127.0.0.1:1", "--control-token", "chosen-token-1")) {
            assertThat(out.toString()).contains("control " + sim.control().url()).doesNotContain("control-token")
                    .doesNotContain("chosen-token-1");
            assertThat(call("GET", sim.control().url().resolve("/status"), "chosen-token-1").statusCode())
                    .isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theControlRefusesToListenBeyondLoopbackAndOptionsAreChecked() {
        SimulatedFleet fleet = SimulatedFleet.create(new SimulatedFleet.Spec(1, 1, 0, 1));
        assertThatThrownBy(() -> SimControl.start("0.0.0.0", 0, fleet, "t"))
                .hasMessage("the control listens on loopback only, not on 0.0.0.0");
        assertThatThrownBy(() -> SimControl.start("127.0.0.1", 0, fleet, " "))
                .hasMessage("the control needs a token");
        PrintWriter out = new PrintWriter(new StringWriter());
        assertThatThrownBy(() -> SimMain.start(out, null, "--targets", "2"))
                .hasMessage("--connect is required");
        assertThatThrownBy(() -> SimMain.start(out, null, "--connect", "http://127.0.0.1:1"))
                .hasMessageContaining("agent credentials are required");
        assertThatThrownBy(() -> SimMain.start(out, "s", "--connect", "ftp://x"))
                .hasMessage("--connect takes http(s) base URLs, got ftp://x");
        assertThatThrownBy(() -> SimMain.start(out, "s", "--targets")).hasMessage("--targets needs a value");
    }
}
