package io.nvmesh.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.config.AuthConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialSourceTest {

    @TempDir
    Path dir;

    private final String ops = Credential.newToken();
    private final String agent = Credential.newToken();

    @Test
    void aChangedFileIsReadAgainAndListenersHearOfIt() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        write(file, List.of(Credential.ofToken("ops", Role.ADMIN, List.of(), ops),
                Credential.ofToken("t-001", Role.AGENT, List.of("t-001"), agent)));
        CredentialSource source = CredentialSource.load(AuthConfig.none().withCredentialsFile(file));
        AtomicInteger heard = new AtomicInteger();
        source.addListener(heard::incrementAndGet);
        Caller t1 = source.authenticate(agent).orElseThrow();
        assertThat(t1.speaksFor("t-001")).isTrue();

        // Revoke the agent, add a reader.
        String reader = Credential.newToken();
        write(file, List.of(Credential.ofToken("ops", Role.ADMIN, List.of(), ops),
                Credential.ofToken("grafana", Role.READ, List.of(), reader)));
        source.poll();

        assertThat(heard).hasValue(1);
        assertThat(source.reloads()).isEqualTo(1);
        assertThat(source.authenticate(agent)).isEmpty();
        assertThat(source.stillHolds(t1)).isFalse();
        assertThat(source.authenticate(reader)).map(Caller::role).contains(Role.READ);
        assertThat(source.authenticate(ops)).map(Caller::name).contains("ops");
    }

    @Test
    void aFileThatNoLongerReadsKeepsThePreviousCredentials() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        write(file, List.of(Credential.ofToken("ops", Role.ADMIN, List.of(), ops)));
        CredentialSource source = CredentialSource.load(AuthConfig.none().withCredentialsFile(file));

        Files.writeString(file, "credentials:\n  - name: ops\n    role: root\n");
        touch(file);
        source.poll();

        assertThat(source.authenticate(ops)).as("a typo must not lock everyone out").isPresent();
        assertThat(source.lastError()).contains("credentials.yaml:3:11", "\"root\" is not one of");
        assertThat(source.reloadFailures()).isEqualTo(1);

        write(file, List.of(Credential.ofToken("ops", Role.ADMIN, List.of(), ops)));
        source.poll();
        assertThat(source.lastError()).isEmpty();
    }

    @Test
    void anEmptiedFileRevokesNothingWhileAnEmptyListRevokesAll() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        write(file, List.of(Credential.ofToken("ops", Role.ADMIN, List.of(), ops)));
        CredentialSource source = CredentialSource.load(AuthConfig.none().withCredentialsFile(file));
        AtomicInteger heard = new AtomicInteger();
        source.addListener(heard::incrementAndGet);

        // Truncated (an editor's half-finished save, `> file`): nothing changes, the reason is told.
        Files.writeString(file, "\n");
        touch(file);
        source.poll();
        assertThat(source.authenticate(ops)).as("a truncated file must not lock everyone out").isPresent();
        assertThat(source.lastError()).isEqualTo(file + ": the file is empty; the 1 credentials read before stay in "
                + "force (write `credentials: []` to revoke every credential of the file)");
        assertThat(source.reloadFailures()).isEqualTo(1);
        assertThat(heard).hasValue(0);

        // Written on purpose: every credential of the file is revoked.
        Files.writeString(file, "credentials: []\n");
        touch(file);
        source.poll();
        assertThat(source.lastError()).isEmpty();
        assertThat(source.authenticate(ops)).isEmpty();
        assertThat(source.reloads()).isEqualTo(1);
        assertThat(heard).hasValue(1);
    }

    @Test
    void aReloadedFileWithOneBadEntryAddsNoneOfItsGoodOnes() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        write(file, List.of(Credential.ofToken("ops", Role.ADMIN, List.of(), ops)));
        CredentialSource source = CredentialSource.load(AuthConfig.none().withCredentialsFile(file));
        AtomicInteger heard = new AtomicInteger();
        source.addListener(heard::incrementAndGet);
        String reader = Credential.newToken();

        // A new reader, the admin revoked, and one agent without nodes: the whole file is refused.
        Files.writeString(file, "credentials:\n  - {name: grafana, role: read, sha256: " + Credential.hash(reader)
                + "}\n  - {name: t-001, role: agent, sha256: " + Credential.hash(agent) + "}\n");
        touch(file);
        source.poll();

        assertThat(source.lastError()).isEqualTo(file + ":3:5: credentials[1]: agent credential t-001 must name the "
                + "node ids it speaks for");
        assertThat(source.authenticate(reader)).as("no credential of a refused file").isEmpty();
        assertThat(source.authenticate(agent)).isEmpty();
        assertThat(source.authenticate(ops)).as("the credentials in force stay").map(Caller::name).contains("ops");
        assertThat(source.current().all()).extracting(Credential::name).containsExactly("ops");
        assertThat(heard).as("listeners heard of no change").hasValue(0);
        assertThat(source.reloads()).isZero();
        assertThat(source.reloadFailures()).isEqualTo(1);
    }

    @Test
    void aFileThatDoesNotReadAtStartStopsTheStart() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        assertThatThrownBy(() -> CredentialSource.load(AuthConfig.none().withCredentialsFile(file)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read credentials");
        Files.writeString(file, "credentials: {}\n");
        assertThatThrownBy(() -> CredentialSource.load(AuthConfig.none().withCredentialsFile(file)))
                .hasMessageContaining("credentials.yaml:1:14: credentials: expected a list or nothing, found a "
                        + "mapping");
    }

    @Test
    void credentialsOfTheConfigurationAndTheFileTogetherFollowTheSameRules() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        write(file, List.of(Credential.ofToken("ops", Role.ADMIN, List.of(), ops)));
        AuthConfig clash = AuthConfig.tokens(List.of(), List.of(ops)).withCredentialsFile(file);

        assertThatThrownBy(() -> CredentialSource.load(clash)).hasMessageContaining("have the same token");
    }

    @Test
    void anExpiredCredentialIsRefusedAndItsSessionsEnd() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        Instant soon = Instant.now().plusSeconds(3600);
        write(file, List.of(new Credential("t-001", Role.AGENT, List.of("t-001"), Credential.hash(agent),
                java.util.Optional.of(soon))));
        java.time.Clock later = java.time.Clock.fixed(soon, java.time.ZoneOffset.UTC);
        CredentialSource now = CredentialSource.load(AuthConfig.none().withCredentialsFile(file));
        CredentialSource then = CredentialSource.load(AuthConfig.none().withCredentialsFile(file), later);

        Caller caller = now.authenticate(agent).orElseThrow();
        assertThat(now.stillHolds(caller)).isTrue();
        assertThat(then.authenticate(agent)).isEmpty();
        assertThat(then.stillHolds(caller)).isFalse();
    }

    private static void write(Path file, List<Credential> credentials) throws Exception {
        CredentialsFile.write(file, Credentials.of(credentials));
        touch(file);
    }

    /** Two writes within a file system's time resolution must still look different. */
    private static void touch(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(COUNTER.incrementAndGet())));
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();
}
