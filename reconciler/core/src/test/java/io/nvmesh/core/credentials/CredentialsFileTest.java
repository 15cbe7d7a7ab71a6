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
                "c.yaml:4:13: credentials[0].sha256: \"00ff\" is not a SHA-256 (64 lower-case hex digits; the token "
                        + "itself is never stored)",
                "c.yaml:6:11: credentials[1].role: \"wizard\" is not one of admin, read, instance, agent",
                "c.yaml:8:5: credentials[2]: agent credential t-001 must name the node ids it speaks for",
                "c.yaml:11:5: credentials[2]: unknown field \"colour\" (known: expires, name, nodes, role, sha256)",
                "c.yaml:12:5: credentials[3]: agent credential t-002 must name the node ids it speaks for");
    }

    @Test
    void aNameWithTwoRolesOrATokenOfTwoCredentialsIsShownWhereTheSecondIsWritten() {
        String text = """
                credentials:
                  - {name: r1, role: instance, sha256: %1$s}
                  - {name: r1, role: admin, sha256: %2$s}
                  - {name: ops, role: admin, sha256: %1$s}
                """.formatted("a".repeat(64), "b".repeat(64));

        CredentialsFile.Result r = CredentialsFile.parse("c.yaml", text.getBytes(StandardCharsets.UTF_8));

        assertThat(r.credentials()).isEmpty();
        assertThat(r.problems()).extracting(Problem::render).containsExactly(
                "c.yaml:3:22: credentials[1].role: credential r1 is listed as instance and as admin; a name has one "
                        + "role",
                "c.yaml:4:38: credentials[2].sha256: two credentials (r1, ops) have the same token; each caller "
                        + "needs its own");
    }

    @Test
    void whatTheSchemaCannotSayIsCheckedWhereItIsWritten() {
        String text = """
                credentials:
                  - name:
                    role: read
                    sha256: %s
                  - name: g
                    role: read
                    sha256: %s
                    expires: soon
                  - name: t-1
                    role: agent
                    nodes: [Bad]
                    sha256: %s
                  - name: ops
                    role: admin
                    nodes: [t-1]
                    sha256: %s
                """.formatted("a".repeat(64), "b".repeat(64), "c".repeat(64), "d".repeat(64));

        CredentialsFile.Result r = CredentialsFile.parse("c.yaml", text.getBytes(StandardCharsets.UTF_8));

        assertThat(r.credentials()).isEmpty();
        assertThat(r.problems()).extracting(Problem::render).containsExactly(
                "c.yaml:2:10: credentials[0].name: must not be empty",
                "c.yaml:8:14: credentials[1].expires: must be a UTC time such as 2027-06-01T00:00:00Z",
                "c.yaml:9:5: credentials[2]: node \"Bad\" of credential t-1 must be a node id (1-63 of a-z 0-9 . _ -) "
                        + "or a prefix ending in *",
                "c.yaml:13:5: credentials[3]: only agent credentials name nodes, but admin ops does");
    }

    @Test
    void namesThatLookLikeNumbersOrWordsOfYamlReadBackAsWritten() throws Exception {
        // The file is written without quotes; a reader typing scalars must not turn these into something else.
        Credentials written = Credentials.of(List.of(
                Credential.ofToken("001", Role.READ, List.of(), Credential.newToken()),
                Credential.ofToken("true", Role.READ, List.of(), Credential.newToken()),
                Credential.ofToken("null", Role.ADMIN, List.of(), Credential.newToken()),
                Credential.ofToken("1e5", Role.AGENT, List.of("007", "null", "1.50"), Credential.newToken())));
        Path file = dir.resolve("credentials.yaml");

        CredentialsFile.write(file, written);

        CredentialsFile.Result read = CredentialsFile.read(file);
        assertThat(read.problems()).isEmpty();
        assertThat(read.credentials().orElseThrow().all()).isEqualTo(written.all());
    }

    @Test
    void hashesThatLookLikeNumbersReadBackAsWritten() throws Exception {
        // About one token in 10^13 hashes to decimal digits only, or digits with one 'e' (a YAML float): written
        // unquoted, such a file would be refused on the next read, locking every caller out at the next reload.
        Credentials written = Credentials.of(List.of(
                new Credential("digits", Role.READ, List.of(), "1".repeat(64), Optional.empty()),
                new Credential("float", Role.ADMIN, List.of(), "12e4" + "5".repeat(60), Optional.empty())));
        Path file = dir.resolve("credentials.yaml");

        CredentialsFile.write(file, written);

        CredentialsFile.Result read = CredentialsFile.read(file);
        assertThat(read.problems()).isEmpty();
        assertThat(read.credentials().orElseThrow().all()).isEqualTo(written.all());
    }

    @Test
    void anEmptyFileHoldsNoCredentials() {
        for (String text : List.of("", "# nobody yet\n", "credentials:\n", "credentials: []\n")) {
            CredentialsFile.Result r = CredentialsFile.parse("c.yaml", text.getBytes(StandardCharsets.UTF_8));

            assertThat(r.problems()).as(text).isEmpty();
            assertThat(r.credentials()).as(text).contains(Credentials.none());
        }
    }

    @Test
    void aFileWithAnyProblemYieldsNoCredentialAtAll() {
        String good = "  - {name: ops, role: admin, sha256: " + "a".repeat(64) + "}\n";
        List<String> mistakes = List.of(
                "  - {name: r1, role: root, sha256: " + "b".repeat(64) + "}\n",
                "  - {name: r1, role: read, sha256: " + "b".repeat(63) + "}\n",
                "  - {name: r1, role: read, sha256: " + "b".repeat(64) + ", colour: blue}\n",
                "  - {name: r1, role: read}\n",
                "  - {name: r1, role: agent, sha256: " + "b".repeat(64) + "}\n",
                "  - {name: R1, role: read, sha256: " + "b".repeat(64) + "}\n",
                "  - {name: r1, role: read, sha256: " + "b".repeat(64) + ", expires: tomorrow}\n",
                "  - {name: ops, role: read, sha256: " + "b".repeat(64) + "}\n",
                "  - {name: r1, role: read, sha256: " + "a".repeat(64) + "}\n",
                "  - !!java.io.File {name: r1, role: read, sha256: " + "b".repeat(64) + "}\n",
                "  - just-a-word\n");
        for (String mistake : mistakes) {
            for (String text : List.of("credentials:\n" + good + mistake, "credentials:\n" + mistake + good)) {
                CredentialsFile.Result r = CredentialsFile.parse("c.yaml", text.getBytes(StandardCharsets.UTF_8));

                assertThat(r.credentials()).as(text).isEmpty();
                assertThat(r.problems()).as(text).isNotEmpty().allSatisfy(p -> assertThat(p.line()).isPositive());
            }
        }
    }

    @Test
    void anOversizedOrNonUtf8FileIsRefusedWhole() {
        byte[] big = new byte[(16 << 20) + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        byte[] latin1 = "credentials: []\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);

        CredentialsFile.Result tooBig = CredentialsFile.parse("c.yaml", big);
        CredentialsFile.Result notUtf8 = CredentialsFile.parse("c.yaml", latin1);

        assertThat(tooBig.credentials()).isEmpty();
        assertThat(tooBig.problems()).extracting(Problem::render).containsExactly(
                "c.yaml: file is 16,777,217 bytes, over the limit of 16 MiB per credentials file");
        assertThat(notUtf8.credentials()).isEmpty();
        assertThat(notUtf8.problems()).extracting(Problem::render).singleElement().asString()
                .startsWith("c.yaml:2: not UTF-8 text");
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
