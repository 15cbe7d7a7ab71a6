package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {

    @TempDir
    Path dir;

    @Test
    void createdTokensAreShownOnceAndStoredAsHashes() throws Exception {
        Path file = dir.resolve("credentials.yaml");

        NvmeshRun agent = NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "agent", "--name",
                "t-001");
        NvmeshRun instance = NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "instance",
                "--name", "r1", "--token-file", dir.resolve("r1.token").toString());

        assertThat(agent.exitCode()).isZero();
        String token = agent.out().lines().filter(l -> l.startsWith("token ")).findFirst().orElseThrow()
                .replaceAll(".*: ", "");
        assertThat(Files.readString(file)).doesNotContain(token).contains(Credential.hash(token));
        Credentials all = CredentialsFile.read(file).credentials().orElseThrow();
        Credential t1 = all.lookup(token, Instant.now()).orElseThrow();
        assertThat(t1.role()).isEqualTo(Role.AGENT);
        assertThat(t1.nodes()).containsExactly("t-001");
        assertThat(instance.exitCode()).isZero();
        assertThat(instance.out()).contains("token written to").doesNotContain("nvmesh_");
        String r1 = Files.readString(dir.resolve("r1.token")).strip();
        assertThat(all.lookup(r1, Instant.now())).map(Credential::name).contains("r1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("r1.token"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aSecondTokenForOneNameRotatesAndRevokeBySha256RemovesOnlyTheOld() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "read", "--name", "grafana");
        String oldHash = CredentialsFile.read(file).credentials().orElseThrow().all().get(0).sha256();
        NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "read", "--name", "grafana");

        NvmeshRun list = NvmeshRun.of("token", "list", "--file", file.toString());
        assertThat(list.out().lines().filter(l -> l.startsWith("grafana"))).hasSize(2);

        NvmeshRun revoke = NvmeshRun.of("token", "revoke", "--file", file.toString(), "grafana", "--sha256",
                oldHash.substring(0, 12));
        assertThat(revoke.exitCode()).isZero();
        assertThat(revoke.out()).contains("revoked 1 credential of grafana");
        assertThat(CredentialsFile.read(file).credentials().orElseThrow().all()).extracting(Credential::sha256)
                .hasSize(1).doesNotContain(oldHash);
    }

    @Test
    void mistakesAreOneLineErrorsAndChangeNothing() throws Exception {
        Path file = dir.resolve("credentials.yaml");
        NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "admin", "--name", "ops");
        String before = Files.readString(file);

        NvmeshRun badRole = NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "root", "--name",
                "x");
        NvmeshRun badName = NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "read", "--name",
                "Bad Name");
        NvmeshRun twoRoles = NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "read", "--name",
                "ops");
        NvmeshRun badExpiry = NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "read", "--name",
                "x", "--expires", "soon");
        NvmeshRun nobody = NvmeshRun.of("token", "revoke", "--file", file.toString(), "nobody");

        assertThat(badRole.exitCode()).isEqualTo(2);
        assertThat(badRole.err()).contains("\"root\" is not a role");
        assertThat(badName.exitCode()).isEqualTo(1);
        assertThat(badName.err()).contains("credential name \"Bad Name\"");
        assertThat(twoRoles.exitCode()).isEqualTo(1);
        assertThat(twoRoles.err()).contains("a name has one role");
        assertThat(badExpiry.exitCode()).isEqualTo(2);
        assertThat(nobody.exitCode()).isEqualTo(1);
        assertThat(nobody.err()).contains("no credential named nobody");
        for (NvmeshRun r : new NvmeshRun[] {badRole, badName, twoRoles, badExpiry, nobody}) {
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.err()).doesNotContain("Exception");
        }
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void expiryTakesDurationsAndDates() {
        Instant now = Instant.parse("2026-12-04T00:00:00Z");
        assertThat(TokenCommand.expiry("90d", now)).contains(Instant.parse("2027-03-04T00:00:00Z"));
        assertThat(TokenCommand.expiry("12h", now)).contains(Instant.parse("2026-12-04T12:00:00Z"));
        assertThat(TokenCommand.expiry("2027-06-01", now)).contains(Instant.parse("2027-06-01T00:00:00Z"));
        assertThat(TokenCommand.expiry("2027-06-01T10:00:00Z", now)).contains(Instant.parse("2027-06-01T10:00:00Z"));
        assertThat(TokenCommand.expiry(null, now)).isEmpty();
    }

    @Test
    void listAsJsonIsForScripts() {
        Path file = dir.resolve("credentials.yaml");
        NvmeshRun.of("token", "create", "--file", file.toString(), "--role", "agent", "--name", "host-7", "--node",
                "t-007", "--node", "c-007", "--expires", "2027-06-01");

        NvmeshRun json = NvmeshRun.of("token", "list", "--file", file.toString(), "-o", "json");

        assertThat(json.out()).contains("\"name\":\"host-7\"", "\"nodes\":[\"t-007\",\"c-007\"]",
                "\"expires\":\"2027-06-01T00:00:00Z\"");
    }
}
