package io.nvmesh.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.state.Author;
import io.nvmesh.core.state.Changes;
import io.nvmesh.core.state.StateStore;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ReconcilerMain --config FILE --check} ({@code nvmesh reconciler --config FILE --check}) on real files: a
 * good configuration with TLS, credentials and a repository passes without changing anything or binding its port; bad
 * ones list every problem, each at its line and column, and exit 1.
 */
class ConfigCheckTest {

    static final String R1_TOKEN = "r1-instance-token-0123456789";
    static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";

    @TempDir
    Path dir;

    private CertificateAuthority ca;

    /** What {@link ReconcilerMain} wrote and returned. */
    record Run(int code, String out, String err) {
    }

    static Run check(Path config) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ReconcilerMain.run(new PrintWriter(out), new PrintWriter(err), node -> {
            throw new AssertionError("--check must not start an instance");
        }, "--config", config.toString(), "--check");
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void files() throws Exception {
        ca = CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        ca.issue(new CertificateName(Role.INSTANCE, "r1", List.of()), List.of("127.0.0.1"), Duration.ofDays(10))
                .write(dir, "r1");
        CredentialsFile.write(dir.resolve("credentials.yaml"), Credentials.of(List.of(
                Credential.ofToken("r1", Role.INSTANCE, List.of(), R1_TOKEN),
                Credential.ofToken("r2", Role.INSTANCE, List.of(), "r2-instance-token-0123456789"),
                Credential.ofToken("ops", Role.ADMIN, List.of(), ADMIN_TOKEN))));
        Files.writeString(dir.resolve("r1.token"), R1_TOKEN + "\n");
        try (StateStore store = StateStore.openOrCreate(dir.resolve("state.git"))) {
            store.commit("refs/heads/main", "", Changes.builder().put("README.md", "desired").build(), "first",
                    new Author("t", "t@example.org"));
        }
    }

    private String config(int port, String remote, String tokenFile, String extra) {
        return """
                id: r1
                listen: 127.0.0.1:%d
                dataDir: data/r1
                git:
                  remote: %s
                peers:
                  - id: r2
                    url: https://127.0.0.1:7999
                auth:
                  credentialsFile: credentials.yaml
                  tokenFile: %s
                tls:
                  certificate: r1.pem
                  key: r1-key.pem
                  ca: ca.pem
                %s""".formatted(port, remote, tokenFile, extra);
    }

    private static List<String> tree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p) + (Files.isRegularFile(p) ? " " + p.toFile().length() : ""))
                    .sorted().toList();
        }
    }

    @Test
    void aGoodConfigurationPassesWithoutCreatingAnythingOrBindingItsPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = dir.resolve("r1.yaml");
            Files.writeString(file, config(taken.getLocalPort(), "state.git", "r1.token", ""));
            List<String> before = tree(dir);

            Run r = check(file);

            assertThat(r.err()).isEmpty();
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains(
                    "ok: auth.credentialsFile: " + dir.resolve("credentials.yaml") + ": 3 credentials",
                    "ok: auth: this instance's token is the instance credential r1",
                    "ok: tls.certificate: ",
                    "ok: dataDir: the data folder " + dir.resolve("data/r1") + " will be created at the first start",
                    "ok: git.remote: " + dir.resolve("state.git") + ": opened; branch main at ",
                    ", state not recorded yet",
                    file + ": ok");
            assertThat(tree(dir)).as("nothing created or changed").isEqualTo(before);
        }
    }

    @Test
    void everyProblemIsListedAtItsLineAndColumn() throws Exception {
        Files.writeString(dir.resolve("admin.token"), ADMIN_TOKEN + "\n");
        Files.writeString(Files.createDirectories(dir.resolve("not-a-repo")).resolve("README"), "x");
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, config(7420, "not-a-repo", "admin.token", "cluster:\n  heartbeatIntervall: 1s\n")
                .replace("dataDir: data/r1", "dataDir: admin.token/data"));

        Run r = check(file);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).doesNotContain(file + ": ok");
        assertThat(r.err().lines().toList()).containsExactly(
                "error: " + file + ":3:10: dataDir: the data folder " + dir.resolve("admin.token/data")
                        + " does not exist and cannot be created here (" + dir.resolve("admin.token")
                        + " is not a writable folder)",
                "error: " + file + ":5:11: git.remote: " + dir.resolve("not-a-repo")
                        + " is not a bare Git repository (no objects/ or HEAD)",
                "error: " + file + ":11:14: auth.tokenFile: this instance's own token must be the token of an "
                        + "instance credential named r1 (it belongs to admin ops); create one with `nvmesh token "
                        + "create --role instance --name r1 --file CREDENTIALS`",
                "error: " + file + ":17:3: cluster: unknown field \"heartbeatIntervall\" (did you mean "
                        + "\"heartbeatInterval\"?)",
                file + ": 4 problems");
    }

    @Test
    void aCredentialsFileThatDoesNotParseIsReportedAtItsOwnLine() throws Exception {
        Files.writeString(dir.resolve("credentials.yaml"), "credentials:\n  - name: r1\n    role: wizard\n");
        Path file = dir.resolve("r1.yaml");
        Files.writeString(file, config(7420, "state.git", "r1.token", ""));

        Run r = check(file);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: " + dir.resolve("credentials.yaml") + ":3:");
    }

    @Test
    void anExpiredCertificateAndAnUnreachableRepositoryAreProblems() throws Exception {
        ca.issue(new CertificateName(Role.INSTANCE, "r1", List.of()), List.of("127.0.0.1"),
                Instant.now().minus(Duration.ofDays(3)), Instant.now().minus(Duration.ofDays(1))).write(dir, "r1");
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once closed
        }
        Path file = dir.resolve("r1.yaml");
        Files.writeString(file, config(7420, "git://127.0.0.1:" + closed + "/state.git", "r1.token", ""));

        Run r = check(file);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().toList()).hasSize(3);
        assertThat(r.err()).contains(file + ":5:11: git.remote: cannot reach git://127.0.0.1:" + closed
                + "/state.git", file + ":13:16: tls.certificate: " + dir.resolve("r1.pem") + " expired at ");
    }

    @Test
    void aFileThatIsNotThereIsOneProblem() {
        Run r = check(dir.resolve("missing.yaml"));

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + dir.resolve("missing.yaml") + ": cannot read: NoSuchFileException");
    }
}
