package io.nvmesh.cli.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real instance speaking TLS on loopback, with certificates made by nvmesh's own CA code: it trusts
 * the server by {@code --cacert}, names its caller by a client certificate ({@code --cert}, {@code --key}) or a token,
 * and says in one line what is wrong with a server it cannot trust or a file it cannot read.
 */
class TlsClientTest {

    private static final String READ = "read-token-for-tls-000001";

    @TempDir
    Path dir;

    private ReconcilerNode node;
    private String url;

    @BeforeEach
    void start() throws Exception {
        CertificateAuthority ca = CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        ca.issue(new CertificateName(Role.INSTANCE, "r1", List.of()), List.of("127.0.0.1", "localhost"),
                Duration.ofDays(1)).write(dir, "r1");
        ca.issue(new CertificateName(Role.READ, "grafana", List.of()), List.of(), Duration.ofDays(1))
                .write(dir, "grafana");
        InstanceConfig c = InstanceConfig.defaults("r1", dir.resolve("data")).withListen("127.0.0.1", 0)
                .withAuth(AuthConfig.none().with(Credential.ofToken("grafana", Role.READ, List.of(), READ)))
                .withTls(TlsConfig.of(dir.resolve("r1.pem"), dir.resolve("r1-key.pem"),
                        Optional.of(dir.resolve(CertificateAuthority.CA_FILE))));
        node = ReconcilerNode.start(c);
        url = node.url().toString();
        assertThat(url).startsWith("https://");
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void aTrustedServerIsReadWithATokenOrAClientCertificate() {
        String ca = dir.resolve(CertificateAuthority.CA_FILE).toString();

        Cli byToken = Cli.run("get", "cluster", "--server", url, "--cacert", ca, "--token", READ);
        Cli byCertificate = Cli.run("get", "cluster", "-o", "json", "--server", url, "--cacert", ca, "--cert",
                dir.resolve("grafana.pem").toString(), "--key", dir.resolve("grafana-key.pem").toString());

        assertThat(byToken.exitCode()).as(byToken.err()).isZero();
        assertThat(byToken.out()).contains("r1");
        assertThat(byCertificate.exitCode()).as(byCertificate.err()).isZero();
        assertThat(byCertificate.out()).contains("\"r1\"");
    }

    @Test
    void anUntrustedServerOrAnUnreadableFileIsOneLineAndExit1() {
        Cli untrusted = Cli.run("get", "cluster", "--server", url, "--token", READ);
        Cli missing = Cli.run("get", "cluster", "--server", url, "--token", READ, "--cacert",
                dir.resolve("nope.pem").toString());
        Cli halfPair = Cli.run("get", "cluster", "--server", url, "--cacert",
                dir.resolve(CertificateAuthority.CA_FILE).toString(), "--cert", dir.resolve("grafana.pem").toString());

        assertThat(untrusted.exitCode()).isEqualTo(1);
        assertThat(untrusted.err().strip()).startsWith("error: TLS with " + url).contains("--cacert")
                .doesNotContain("\n");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err().strip()).contains("nope.pem").doesNotContain("\n").doesNotContain("Exception");
        assertThat(halfPair.exitCode()).isEqualTo(1);
        assertThat(halfPair.err().strip()).contains("needs its key").doesNotContain("\n");
    }
}
