package io.nvmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.core.credentials.Role;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {

    @TempDir
    Path dir;

    @Test
    void aCaIssuesCertificatesNamingInstancesAgentsAndPeopleWithOwnerOnlyKeys() throws Exception {
        String d = dir.toString();
        assertThat(NvmeshRun.of("certs", "ca", "--dir", d).exitCode()).isZero();
        NvmeshRun r1 = NvmeshRun.of("certs", "issue", "--dir", d, "--instance", "r1", "--host", "127.0.0.1",
                "--host", "r1.example");
        NvmeshRun agent = NvmeshRun.of("certs", "issue", "--dir", d, "--agent", "host-7", "--node", "t-007",
                "--node", "c-007", "--days", "30");
        NvmeshRun alice = NvmeshRun.of("certs", "issue", "--dir", d, "--admin", "alice");

        assertThat(List.of(r1.exitCode(), agent.exitCode(), alice.exitCode())).containsOnly(0);
        assertThat(CertificateName.of(PemFiles.readCertificates(dir.resolve("r1.pem")).get(0)))
                .contains(new CertificateName(Role.INSTANCE, "r1", List.of()));
        assertThat(CertificateName.of(PemFiles.readCertificates(dir.resolve("host-7.pem")).get(0)))
                .contains(new CertificateName(Role.AGENT, "host-7", List.of("t-007", "c-007")));
        assertThat(CertificateName.of(PemFiles.readCertificates(dir.resolve("alice.pem")).get(0)))
                .contains(new CertificateName(Role.ADMIN, "alice", List.of()));
        for (String key : List.of("ca-key.pem", "r1-key.pem", "host-7-key.pem", "alice-key.pem")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key)))).as(key)
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aSecondCaIsRefusedAndNeedsExactlyOneHolder() {
        String d = dir.toString();
        assertThat(NvmeshRun.of("certs", "ca", "--dir", d).exitCode()).isZero();
        NvmeshRun again = NvmeshRun.of("certs", "ca", "--dir", d);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("exists already");
        assertThat(NvmeshRun.of("certs", "issue", "--dir", d).exitCode()).isEqualTo(2);
        assertThat(NvmeshRun.of("certs", "issue", "--dir", d, "--read", "g", "--host", "x").exitCode()).isEqualTo(2);
    }
}
