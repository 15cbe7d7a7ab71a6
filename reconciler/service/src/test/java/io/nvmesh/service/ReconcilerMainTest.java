package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDir;

class ReconcilerMainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return ReconcilerMain.run(new PrintWriter(out, true), new PrintWriter(err, true), node -> { }, args);
    }

    @Test
    void aBadConfigurationExitsWith2AndOneLinePerProblem(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("r1.yaml"), "id: r1\ncluster:\n  heartbeatInterval: soon\n");

        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("error: " + file + ":3:22: cluster.heartbeatInterval: \"soon\" "
                + "is not a duration (use e.g. 500ms, 2s, 1m)");
    }

    @Test
    void credentialsThatDoNotFitAreABadConfigurationWithTheFix(@TempDir Path dir) throws IOException {
        Path credentials = Files.writeString(dir.resolve("credentials.yaml"), "credentials:\n  - name: r1\n");
        Files.writeString(dir.resolve("r1.token"), "instance-token-r1-000000\n");
        Path file = Files.writeString(dir.resolve("r1.yaml"), "id: r1\nlisten: 0\npeers:\n  - id: r2\n"
                + "    url: http://127.0.0.1:1\nauth:\n  credentialsFile: credentials.yaml\n  tokenFile: r1.token\n");

        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("error: " + credentials + ":2:5: credentials[0]: missing required field "
                + "\"role\"")
                .doesNotContain("Exception");

        err.getBuffer().setLength(0);
        io.nvmesh.core.credentials.CredentialsFile.write(credentials, io.nvmesh.core.credentials.Credentials.of(
                java.util.List.of(io.nvmesh.core.credentials.Credential.ofToken("r2",
                        io.nvmesh.core.credentials.Role.INSTANCE, java.util.List.of(), "instance-token-r1-000000"))));
        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("error: auth.token must be the token of an instance credential "
                + "named r1 (it belongs to instance r2); create one with `nvmesh token create --role instance "
                + "--name r1 --file CREDENTIALS`");
    }

    @Test
    void aMissingOrUnknownArgumentExitsWith2WithUsage() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("--config FILE is required").contains(ReconcilerMain.USAGE);
        assertThat(run("--verbose")).isEqualTo(2);
        assertThat(run("--help")).isZero();
    }

    @Test
    void aTakenPortExitsWith1(@TempDir Path dir) throws IOException {
        Path first = Files.writeString(dir.resolve("a.yaml"), "id: a\nlisten: 0\n");
        AtomicReference<Integer> port = new AtomicReference<>();
        ReconcilerMain.run(new PrintWriter(out, true), new PrintWriter(err, true), node -> {
            port.set(node.port());
            try {
                Path second = Files.writeString(dir.resolve("b.yaml"), "id: b\nlisten: " + node.port() + "\n");
                assertThat(run("--config", second.toString())).isEqualTo(1);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "--config", first.toString());

        assertThat(err.toString()).startsWith("error: b: cannot listen on 127.0.0.1:" + port.get());
    }

    @Test
    void theProcessServesUntilSigtermThenStopsCleanly(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("r1.yaml"), "id: r1\nlisten: 0\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        // The JVM flags Chronicle Map needs, as packaging/bin/nvmesh passes them (Surefire gave them to this JVM).
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle.")).forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ReconcilerMain.class.getName(),
                "--config", config.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            URI url = null;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("nvmesh reconciler r1 listening on ")) {
                    url = URI.create(line.split(" ")[5]);
                    break;
                }
            }
            assertThat(url).as("the listening line").isNotNull();
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(url.resolve("/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);

            p.toHandle().destroy(); // SIGTERM, leaving our end of its output open (Process.destroy closes it)

            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s").isTrue();
            assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM
            StringBuilder rest = new StringBuilder();
            while ((line = lines.readLine()) != null) {
                rest.append(line).append('\n');
            }
            assertThat(rest).as("the shutdown hook closed the instance").contains("r1 stopped");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void plainHttpOnANonLoopbackAddressIsRefusedAtStartWithOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("r1.yaml"), "id: r1\nlisten: 0.0.0.0:0\n");

        assertThat(run("--config", file.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("error: " + file + ":2:9: listen: plain HTTP on 0.0.0.0 would "
                + "send tokens and commands in clear; configure `tls:` (docs/security.md) or set `insecure: true`");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void insecureTrueAllowsPlainHttpOffLoopbackAsAnExplicitChoice(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("r1.yaml"), "id: r1\nlisten: 0.0.0.0:0\ninsecure: true\n");

        assertThat(run("--config", file.toString())).isZero();
        assertThat(out.toString()).contains("nvmesh reconciler r1 listening on http://");
    }
}
