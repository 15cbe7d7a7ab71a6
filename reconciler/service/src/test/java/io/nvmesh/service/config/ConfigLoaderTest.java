package io.nvmesh.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.schema.Problem;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.cluster.Member;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    private static Path fixtures(String kind) {
        try {
            return Path.of(ConfigLoaderTest.class.getResource("/config/" + kind).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> invalidFiles() throws IOException {
        try (Stream<Path> files = Files.list(fixtures("invalid"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList()
                    .stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFiles")
    void eachInvalidFileIsRefusedWithTheExpectedLineColumnAndMessage(String name) throws IOException {
        Path dir = fixtures("invalid");
        String text = Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        String expected = Files.readString(dir.resolve(name.replace(".yaml", ".expected"))).strip();

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigLoader.parse(text, name, dir));

        assertThat(e).as("%s must be refused", name).isNotNull();
        assertThat(e.problems()).extracting(Problem::render).containsExactly(expected);
    }

    @Test
    void aFullFileGivesEveryValue() {
        InstanceConfig c = ConfigLoader.load(fixtures("valid").resolve("full.yaml"));

        assertThat(c.id()).isEqualTo("r1");
        assertThat(c.listenHost()).isEqualTo("0.0.0.0");
        assertThat(c.listenPort()).isEqualTo(7420);
        assertThat(c.advertiseUrl()).contains(URI.create("http://10.0.0.5:7420"));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/nvmesh/r1"));
        assertThat(c.audit()).isEqualTo(new AuditConfig(Path.of("/var/log/nvmesh/audit.log"), 10L << 20, 7));
        assertThat(c.limits()).isEqualTo(new LimitsConfig(10, java.time.Duration.ofSeconds(30),
                java.time.Duration.ofMinutes(5), 5, 8, 300));
        assertThat(c.gitRemote()).isEqualTo("ssh://git@git.example/storage/state.git");
        assertThat(c.gitSsh()).contains(new io.nvmesh.core.state.SshAccess(fixtures("valid").resolve("r1_ed25519"),
                fixtures("valid").resolve("known_hosts")));
        assertThat(c.gitBranch()).isEqualTo("desired");
        assertThat(c.gitPollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.packInterval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.peers()).containsExactly(new Member("r2", URI.create("http://10.0.0.6:7420")),
                new Member("r3", URI.create("https://10.0.0.7:7420/")));
        assertThat(c.auth().credentials().all()).extracting(Credential::name, Credential::role).containsExactly(
                tuple("admin-1", Role.ADMIN), tuple("admin-2", Role.ADMIN), tuple("read-1", Role.READ));
        assertThat(c.auth().credentials().lookup("admin-token-000000000002", Instant.now()))
                .map(Credential::name).contains("admin-2");
        assertThat(c.auth().credentialsFile()).contains(Path.of("/etc/nvmesh/credentials.yaml"));
        assertThat(c.auth().token()).isEqualTo("instance-token-r1-000000");
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.missedHeartbeats()).isEqualTo(4);
        assertThat(c.ownershipEpsilon()).isEqualTo(0.5);
    }

    @Test
    void aMinimalFileListensOnLoopbackWithDefaultTimings() {
        Path file = fixtures("valid").resolve("minimal.yaml");

        InstanceConfig c = ConfigLoader.load(file);

        assertThat(c.listenHost()).isEqualTo("127.0.0.1");
        assertThat(c.listenPort()).isEqualTo(7420);
        assertThat(c.advertiseUrl()).isEmpty();
        assertThat(c.peers()).isEmpty();
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.missedHeartbeats()).isEqualTo(3);
        assertThat(c.ownershipEpsilon()).isEqualTo(0.25);
        assertThat(c.dataDir()).isEqualTo(file.getParent().resolve("data/solo"));
    }

    @Test
    void aTlsSectionNamesItsFilesRelativeToTheConfigAndAsksForClientCertificatesWhenItHasAClientCa() {
        Path file = fixtures("valid").resolve("tls.yaml");
        InstanceConfig c = ConfigLoader.load(file);

        Path tls = file.getParent().resolve("../tls").normalize();
        assertThat(c.tls()).contains(new TlsConfig(tls.resolve("r1.pem"), tls.resolve("r1-key.pem"),
                java.util.Optional.of(tls.resolve("ca.pem")), TlsConfig.ClientAuth.WANT, java.util.Optional.empty()));
        assertThat(c.tls().get().trustedCa()).contains(tls.resolve("ca.pem"));
        assertThat(c.insecure()).isFalse();
    }

    @Test
    void relativePathsAreRelativeToTheFilesFolderAndAPortAloneMeansLoopback(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("r1.yaml");
        Files.writeString(file, "id: r1\nlisten: 0\ndataDir: state/r1\n");

        InstanceConfig c = ConfigLoader.load(file);

        assertThat(c.dataDir()).isEqualTo(dir.resolve("state/r1"));
        assertThat(c.listenHost()).isEqualTo("127.0.0.1");
        assertThat(c.listenPort()).isZero();
    }

    @Test
    void ipv6ListenAddressesAreWrittenInBrackets() {
        InstanceConfig c = ConfigLoader.parse("id: r1\nlisten: \"[::1]:7421\"\n", "r1.yaml", Path.of("/"));

        assertThat(c.listenHost()).isEqualTo("::1");
        assertThat(c.listenPort()).isEqualTo(7421);
    }

    @Test
    void theStartupGraceIsDerivedUnlessConfiguredAndMustCoverTheDeadAfterTime() {
        InstanceConfig derived = ConfigLoader.parse("id: r1\n", "r1.yaml", Path.of("/"));
        InstanceConfig set = ConfigLoader.parse("id: r1\ncluster:\n  startupGrace: 30s\n", "r1.yaml", Path.of("/"));
        InstanceConfig none = ConfigLoader.parse("id: r1\ncluster:\n  startupGrace: 0s\n", "r1.yaml", Path.of("/"));

        assertThat(derived.startupGrace()).isEmpty();
        assertThat(ReconcilerNode.startupGrace(derived)).isEqualTo(Duration.ofSeconds(10));
        assertThat(ReconcilerNode.startupGrace(set)).isEqualTo(Duration.ofSeconds(30));
        assertThat(ReconcilerNode.startupGrace(none)).isZero();

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.parse(
                "id: r1\ncluster:\n  heartbeatInterval: 1s\n  startupGrace: 2s\n", "r.yaml", Path.of("/")));
        assertThat(e.getMessage()).isEqualTo("r.yaml:4:17: cluster.startupGrace: a grace of 2000ms is shorter than "
                + "the dead-after time (3000ms = 3 x heartbeatInterval); use at least that, or 0s for none");
        assertThat(catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.parse(
                "id: r1\ncluster:\n  startupGrace: 11m\n", "r.yaml", Path.of("/"))).getMessage())
                .endsWith("11m is outside 0s..10m");
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        String text = "id: Bad\nlisten: nowhere\ncluster:\n  missedHeartbeats: lots\n  ownershipEpsilon: 0\n";

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> ConfigLoader.parse(text, "r.yaml", Path.of("/")));

        assertThat(e.problems()).extracting(p -> p.line() + ":" + p.column() + " " + p.path())
                .containsExactly("1:5 id", "2:9 listen", "4:21 cluster.missedHeartbeats",
                        "5:21 cluster.ownershipEpsilon");
        assertThat(e.getMessage()).startsWith("r.yaml:1:5: id: ");
    }

    @Test
    void aMissingOrEmptyFileIsOneClearProblem(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("absent.yaml: cannot read");
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "# nothing\n");
        assertThatThrownBy(() -> ConfigLoader.load(empty))
                .hasMessageContaining("empty.yaml:1:1: the file is empty; at least `id:` is required");
    }

    @Test
    void gitTrustedKeysNamesAFileRelativeToTheConfigAndAMissingOneIsAProblem(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("signers.asc"), "");
        InstanceConfig c = ConfigLoader.parse("id: r1\ngit:\n  remote: state.git\n  trustedKeys: signers.asc\n",
                "r1.yaml", dir);
        assertThat(c.trustedKeys()).contains(dir.resolve("signers.asc"));

        assertThatThrownBy(() -> ConfigLoader.parse("id: r1\ngit:\n  remote: state.git\n  trustedKeys: none.asc\n",
                "r1.yaml", dir)).hasMessageContaining("r1.yaml:4:16: git.trustedKeys: cannot read " + dir.resolve(
                "none.asc"));
    }

    @Test
    void gitSshAndAllowedSignersNameFilesRelativeToTheConfigAndProblemsSayWhere(@TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("r1_ed25519"), "key");
        Files.writeString(dir.resolve("known_hosts"), "");
        Files.writeString(dir.resolve("allowed_signers"), "# nobody yet\n");
        InstanceConfig c = ConfigLoader.parse("id: r1\ngit:\n  remote: ssh://git@git.example:2222/srv/state.git\n"
                + "  allowedSigners: allowed_signers\n  ssh:\n    identity: r1_ed25519\n    knownHosts: known_hosts\n",
                "r1.yaml", dir);
        assertThat(c.gitRemote()).isEqualTo("ssh://git@git.example:2222/srv/state.git");
        assertThat(c.gitSsh()).contains(new io.nvmesh.core.state.SshAccess(dir.resolve("r1_ed25519"),
                dir.resolve("known_hosts")));
        assertThat(c.allowedSigners()).contains(dir.resolve("allowed_signers"));

        // An SSH remote without ssh: is refused rather than falling back to ~/.ssh.
        assertThatThrownBy(() -> ConfigLoader.parse("id: r1\ngit:\n  remote: git@git.example:state.git\n",
                "r1.yaml", dir)).hasMessageContaining("r1.yaml:3:11: git.remote: git@git.example:state.git is an SSH "
                        + "remote: add `git.ssh.identity`");
        assertThatThrownBy(() -> ConfigLoader.parse("id: r1\ngit:\n  remote: ssh://h/s.git\n  ssh:\n"
                + "    identity: missing_key\n", "r1.yaml", dir))
                .hasMessageContaining("r1.yaml:5:15: git.ssh.identity: cannot read " + dir.resolve("missing_key"))
                .hasMessageContaining("r1.yaml:4:3: git.ssh: missing required field \"knownHosts\"");
        Files.writeString(dir.resolve("broken_signers"), "ops@example.org ssh-ed25519 AAAA!!\n");
        assertThatThrownBy(() -> ConfigLoader.parse("id: r1\ngit:\n  remote: state.git\n"
                + "  allowedSigners: broken_signers\n", "r1.yaml", dir))
                .hasMessageContaining("r1.yaml:4:19: git.allowedSigners: " + dir.resolve("broken_signers")
                        + ":1: the ssh-ed25519 key does not decode");
    }

    @Test
    void tokensNeverAppearInToString() {
        AuthConfig auth = AuthConfig.tokens(List.of("admin-token-000000000001"), List.of())
                .withToken("instance-token-r1-000000");
        InstanceConfig c = InstanceConfig.defaults("r1", Path.of("/tmp")).withAuth(auth);

        assertThat(c.toString()).doesNotContain("admin-token", "instance-token").contains("credentials=1")
                .contains("token=set");
    }

    @Test
    void theRecordRefusesPeersWithoutAPeerSecret() {
        InstanceConfig c = InstanceConfig.defaults("r1", Path.of("/tmp"));

        assertThatThrownBy(() -> c.withPeers(List.of(new Member("r2", URI.create("http://127.0.0.1:1")))))
                .hasMessageContaining("auth.token is required");
        assertThat(c.advertiseUrl()).isEqualTo(Optional.empty());
    }

    @Test
    void packingIsHourlyUnlessTurnedOff() {
        assertThat(ConfigLoader.parse("id: r1\n", "r1.yaml", Path.of(".")).packInterval())
                .isEqualTo(Duration.ofHours(1));
        for (String off : List.of("0", "0s", "off")) {
            assertThat(ConfigLoader.parse("id: r1\ngit:\n  packInterval: " + off + "\n", "r1.yaml", Path.of("."))
                    .packInterval()).as(off).isZero();
        }
    }
}
