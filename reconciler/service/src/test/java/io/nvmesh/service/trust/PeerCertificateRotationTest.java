package io.nvmesh.service.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nvmesh.core.certs.CertificateAuthority;
import io.nvmesh.core.certs.CertificateName;
import io.nvmesh.core.certs.PemFiles;
import io.nvmesh.core.credentials.Credential;
import io.nvmesh.core.credentials.Credentials;
import io.nvmesh.core.credentials.CredentialsFile;
import io.nvmesh.core.credentials.Role;
import io.nvmesh.core.testing.TestPorts;
import io.nvmesh.service.ReconcilerNode;
import io.nvmesh.service.TestAuth;
import io.nvmesh.service.cluster.Member;
import io.nvmesh.service.config.AuthConfig;
import io.nvmesh.service.config.InstanceConfig;
import io.nvmesh.service.config.TlsConfig;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate an instance presents to its peers is its {@code tls.certificate}; when its files are replaced, the
 * instance presents the new one on its next connections, without a restart. Two real instances on loopback that
 * <em>need</em> client certificates; r2's certificate moves from one CA to another, and r3, restarted to accept client
 * certificates of the new CA only, must hear r2's own heartbeats: it would refuse r2's old certificate at the
 * handshake. r2 accepts only the new CA's client certificates by then, so r3's heartbeats to r2 fail and r3 cannot
 * learn of r2 from their replies: only r2's calls, with r2's client certificate, can make r3 hear it.
 */
class PeerCertificateRotationTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final ReconcilerNode[] running = new ReconcilerNode[2];

    @AfterEach
    void stop() {
        for (ReconcilerNode n : running) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void anInstancePresentsItsRotatedCertificateToPeersWithoutARestart() throws Exception {
        CertificateAuthority oldCa = CertificateAuthority.createIn(dir.resolve("old"), "old", Duration.ofDays(30));
        CertificateAuthority newCa = CertificateAuthority.createIn(dir.resolve("new"), "new", Duration.ofDays(30));
        for (String id : List.of("r2", "r3")) {
            oldCa.issue(new CertificateName(Role.INSTANCE, id, List.of()), List.of("127.0.0.1"), Duration.ofDays(1))
                    .write(dir, id);
        }
        // clientCa: the client certificates accepted; ca: the CAs peers' server certificates are checked against.
        bundle("r2-clients.pem", oldCa, newCa);
        bundle("r3-clients.pem", oldCa);
        bundle("servers.pem", oldCa, newCa);
        Path credentials = dir.resolve("credentials.yaml");
        List<Credential> all = new ArrayList<>();
        for (String id : List.of("r2", "r3")) {
            all.add(Credential.ofToken(id, Role.INSTANCE, List.of(), TestAuth.instanceToken(id)));
        }
        CredentialsFile.write(credentials, Credentials.of(all));
        List<Integer> ports = List.copyOf(TestPorts.next(2));
        running[0] = start("r2", ports, credentials);
        running[1] = start("r3", ports, credentials);
        await().atMost(BOUND).until(() -> live(running[0]) && live(running[1]));
        X509Certificate before = PemFiles.readCertificates(dir.resolve("r2.pem")).get(0);

        // r2's certificate is reissued by the new CA and its files replaced (key first, each moved into place).
        newCa.issue(new CertificateName(Role.INSTANCE, "r2", List.of()), List.of("127.0.0.1"), Duration.ofDays(1))
                .write(dir.resolve("new"), "r2");
        move(dir.resolve("new/r2-key.pem"), dir.resolve("r2-key.pem"));
        move(dir.resolve("new/r2.pem"), dir.resolve("r2.pem"));
        // From now on r2 refuses r3's (old) client certificate; r3 comes back accepting the new CA's only.
        bundle("r2-clients.pem", newCa);
        running[1].close();
        running[1] = null;
        bundle("r3-clients.pem", newCa);
        running[1] = start("r3", ports, credentials);

        // A peer r3 has not heard from since its start has epoch 0 (presumed live for a grace period).
        long r2Epoch = running[0].view().members().stream().filter(m -> m.id().equals("r2")).findFirst()
                .orElseThrow().epoch();
        await().atMost(BOUND).untilAsserted(() -> assertThat(running[1].view().members())
                .filteredOn(m -> m.id().equals("r2")).singleElement()
                .satisfies(m -> {
                    assertThat(m.epoch()).isEqualTo(r2Epoch);
                    assertThat(m.alive()).isTrue();
                }));
        X509Certificate after = PemFiles.readCertificates(dir.resolve("r2.pem")).get(0);
        assertThat(after.getIssuerX500Principal()).isNotEqualTo(before.getIssuerX500Principal());
    }

    private ReconcilerNode start(String id, List<Integer> ports, Path credentials) {
        int self = id.equals("r2") ? 0 : 1;
        String other = id.equals("r2") ? "r3" : "r2";
        TlsConfig tls = TlsConfig.of(dir.resolve(id + ".pem"), dir.resolve(id + "-key.pem"),
                Optional.of(dir.resolve(id + "-clients.pem"))).withClientAuth(TlsConfig.ClientAuth.NEED)
                .withCa(Optional.of(dir.resolve("servers.pem")));
        return ReconcilerNode.start(InstanceConfig.defaults(id, dir.resolve("data-" + id))
                .withListen("127.0.0.1", ports.get(self))
                .withAuth(AuthConfig.none().withCredentialsFile(credentials).withToken(TestAuth.instanceToken(id)))
                .withPeers(List.of(new Member(other, URI.create("https://127.0.0.1:" + ports.get(1 - self)))))
                .withHeartbeat(Duration.ofMillis(100), 3).withTls(tls));
    }

    private static boolean live(ReconcilerNode n) {
        return n != null && n.view().live().size() == 2;
    }

    private void bundle(String name, CertificateAuthority... cas) throws IOException {
        List<X509Certificate> certs = new ArrayList<>();
        for (CertificateAuthority ca : cas) {
            certs.add(ca.certificate());
        }
        PemFiles.writeCertificates(dir.resolve(name), certs);
        Files.setLastModifiedTime(dir.resolve(name), FileTime.from(Instant.now().plusSeconds(2)));
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.setLastModifiedTime(to, FileTime.from(Instant.now().plusSeconds(2)));
    }
}
