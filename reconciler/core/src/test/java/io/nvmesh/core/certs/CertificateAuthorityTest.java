package io.nvmesh.core.certs;

import io.nvmesh.core.credentials.Role;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateAuthorityTest {

    @TempDir
    Path dir;

    @Test
    void issuedCertificatesNameTheirHolderAndKeysAreWrittenForTheOwnerOnly() throws Exception {
        CertificateAuthority ca = CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        ca.issue(new CertificateName(Role.INSTANCE, "r1", List.of()), List.of("127.0.0.1", "r1.example"),
                Duration.ofDays(1)).write(dir, "r1");
        ca.issue(new CertificateName(Role.AGENT, "host-7", List.of("t-007", "c-007")), List.of(), Duration.ofDays(1))
                .write(dir, "host-7");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("r1-key.pem"))))
                .isEqualTo("rw-------");
        List<X509Certificate> chain = PemFiles.readCertificates(dir.resolve("r1.pem"));
        assertThat(chain).hasSize(2);
        chain.get(0).verify(CertificateAuthority.load(dir).certificate().getPublicKey());
        assertThat(CertificateName.of(chain.get(0))).contains(new CertificateName(Role.INSTANCE, "r1", List.of()));
        assertThat(chain.get(0).getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1))
                .contains("127.0.0.1", "r1.example", "urn:nvmesh:instance:r1");
        assertThat(CertificateName.of(PemFiles.readCertificates(dir.resolve("host-7.pem")).get(0)))
                .contains(new CertificateName(Role.AGENT, "host-7", List.of("t-007", "c-007")));
        assertThat(PemFiles.keyStore(dir.resolve("r1.pem"), dir.resolve("r1-key.pem")).isKeyEntry("key")).isTrue();
    }

    @Test
    void aSecondCaIsNotWrittenOverTheFirst() throws Exception {
        CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        assertThatThrownBy(() -> CertificateAuthority.createIn(dir, "test", Duration.ofDays(30)))
                .hasMessageContaining("exists already");
    }

    @Test
    void badFilesAreNamedInOneLine() throws Exception {
        Files.writeString(dir.resolve("junk.pem"), "hello");
        assertThatThrownBy(() -> PemFiles.readCertificates(dir.resolve("junk.pem")))
                .hasMessage(dir.resolve("junk.pem") + ": no certificate in it (expected -----BEGIN CERTIFICATE-----)");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(dir.resolve("missing.pem")))
                .hasMessage(dir.resolve("missing.pem") + ": no such file");
    }
}
