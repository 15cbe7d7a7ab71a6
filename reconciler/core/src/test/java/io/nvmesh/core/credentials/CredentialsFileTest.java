package io.nvmesh.core.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nvmesh.schema.Problem;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {

    @TempDir
    Path dir;

    @Test
    void whatIsWrittenReadsBackAndHoldsNoToken() throws Exception {
        String admin = Credential.newToken();
        String agent = Credential.newToken();
        Credentials written = Credentials.of(List.of(
                Credential.ofToken("ops", Role.ADMIN, List.of(), admin),
                new Credential("t-001", Role.AGENT, List.of("t-001", "c-001"), Credential.hash(agent),
                        Optional.of(Instant.parse("2027-06-01T00:00:00Z"))),
                Credential.ofToken("sim", Role.AGENT, List.of("sim-*"), Credential.newToken())));
        Path file = dir.resolve("credentials.yaml");

        CredentialsFile.write(file, written);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).doesNotContain(admin, agent);
        Credentials read = CredentialsFile.read(file).credentials().orElseThrow();
        assertThat(read.all()).isEqualTo(written.all());
        Instant now = Instant.parse("2026-12-04T00:00:00Z");
        assertThat(read.lookup(admin, now)).map(Credential::name).contains("ops");
        assertThat(read.lookup(agent, now).orElseThrow().speaksFor("c-001")).isTrue();
        assertThat(read.lookup(agent, now).orElseThrow().speaksFor("t-002")).isFalse();
        assertThat(read.lookup(agent, Instant.parse("2027-06-01T00:00:00Z"))).as("expired").isEmpty();
        assertThat(read.lookup("not-a-known-token-000", now)).isEmpty();
    }

    @Test
    void aPrefixPatternSpeaksOnlyForItsPrefix() {
        Credential sim = Credential.ofToken("sim", Role.AGENT, List.of("rack7-*"), Credential.newToken());

        assertThat(sim.speaksFor("rack7-t01")).isTrue();
        assertThat(sim.speaksFor("rack8-t01")).isFalse();
        assertThat(sim.speaksFor("rack7")).isFalse();
        assertThat(sim.isWildcard()).isTrue();
    }

    @Test
    void everyProblemIsReportedWithLineAndColumn() {
        String text = """
                credentials:
                  - name: r1
                    role: instance
                    sha256: 00ff
                  - name: Bad Name
                    role: wizard
                    sha256: %s
                  - name: t-001
                    role: agent
                    sha256: %s
                    colour: blue
                  - name: t-002
                    role: agent
                    sha256: %s
                """.formatted("a".repeat(64), "b".repeat(64), "c".repeat(64));

        CredentialsFile.Result r = CredentialsFile.parse("c.yaml", text.getBytes(StandardCharsets.UTF_8));

        assertThat(r.credentials()).isEmpty();
        assertThat(r.problems()).extracting(Problem::render).containsExactly(
                "c.yaml:2:5: credentials[0]: sha256 of credential r1 must be 64 lower-case hex digits",
                "c.yaml:6:11: credentials[1].role: \"wizard\" is not a role (admin, read, instance, agent)",
                "c.yaml:8:5: credentials[2]: agent credential t-001 must name the node ids it speaks for",
                "c.yaml:11:5: credentials[2]: unknown key `colour` (known: expires, name, nodes, role, sha256)",
                "c.yaml:12:5: credentials[3]: agent credential t-002 must name the node ids it speaks for");
    }

    @Test
    void oneTokenForTwoCallersOrOneNameWithTwoRolesIsRefused() {
        String token = Credential.newToken();
        assertThatThrownBy(() -> Credentials.of(List.of(Credential.ofToken("a", Role.READ, List.of(), token),
                Credential.ofToken("b", Role.ADMIN, List.of(), token))))
                .hasMessageContaining("have the same token");
        assertThatThrownBy(() -> Credentials.of(List.of(
                Credential.ofToken("r1", Role.INSTANCE, List.of(), Credential.newToken()),
                Credential.ofToken("r1", Role.ADMIN, List.of(), Credential.newToken()))))
                .hasMessageContaining("a name has one role");
    }

    @Test
    void aNameMayHoldTwoTokensWhileOneIsRotated() {
        String old = Credential.newToken();
        String next = Credential.newToken();
        Credentials both = Credentials.of(List.of(Credential.ofToken("r1", Role.INSTANCE, List.of(), old),
                Credential.ofToken("r1", Role.INSTANCE, List.of(), next)));

        assertThat(both.lookup(old, Instant.now())).map(Credential::name).contains("r1");
        assertThat(both.lookup(next, Instant.now())).map(Credential::name).contains("r1");
    }

    @Test
    void generatedTokensAreLongRandomAndPrefixed() {
        String a = Credential.newToken();
        assertThat(a).startsWith("nvmesh_").hasSize(7 + 43).isNotEqualTo(Credential.newToken());
        Credential.checkToken(a);
    }
}
