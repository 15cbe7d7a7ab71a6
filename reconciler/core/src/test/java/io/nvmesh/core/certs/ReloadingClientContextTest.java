package io.nvmesh.core.certs;

import io.nvmesh.core.credentials.Role;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A real TLS server on loopback that needs a client certificate and answers each connection with the serial of the
 * certificate the client presented; the client's files are rotated under it.
 */
class ReloadingClientContextTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private CertificateAuthority ca;
    private SSLServerSocket server;
    private final ExecutorService accepting = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception {
        ca = CertificateAuthority.createIn(dir, "test", Duration.ofDays(30));
        ca.issue(new CertificateName(Role.INSTANCE, "server", List.of()), List.of("127.0.0.1"), Duration.ofDays(1))
                .write(dir, "server");
        agent("t-001");
        SSLContext serverContext = SSLContext.getInstance("TLS");
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(PemFiles.keyStore(dir.resolve("server.pem"), dir.resolve("server-key.pem")), PemFiles.STORE_PASSWORD);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(PemFiles.trustStore(dir.resolve("ca.pem")));
        serverContext.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        accepting.execute(() -> {
            while (!server.isClosed()) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setSoTimeout(5_000);
                    X509Certificate presented = (X509Certificate) s.getSession().getPeerCertificates()[0];
                    s.getOutputStream().write((presented.getSerialNumber().toString(16) + "\n").getBytes());
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    // a refused handshake or the server closing; the client side asserts
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        accepting.shutdownNow();
        assertThat(accepting.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRotatedClientCertificateIsPresentedOnTheNextConnection() throws Exception {
        SSLContext client = ReloadingClientContext.of(Optional.of(dir.resolve("ca.pem")),
                Optional.of(dir.resolve("t-001.pem")), Optional.of(dir.resolve("t-001-key.pem")));
        assertThat(presented(client)).isEqualTo(serial("t-001.pem"));
        BigInteger before = serial("t-001.pem");

        agent("t-001");
        touch("t-001.pem", "t-001-key.pem");

        assertThat(serial("t-001.pem")).isNotEqualTo(before);
        await().atMost(BOUND).until(() -> presented(client).equals(serial("t-001.pem")));
    }

    @Test
    void aHalfWrittenRotationKeepsTheCertificateInForceUntilBothFilesAgree() throws Exception {
        SSLContext client = ReloadingClientContext.of(Optional.of(dir.resolve("ca.pem")),
                Optional.of(dir.resolve("t-001.pem")), Optional.of(dir.resolve("t-001-key.pem")));
        BigInteger before = serial("t-001.pem");
        assertThat(presented(client)).isEqualTo(before);

        // The new key is in place, its certificate not yet: the old pair stays in force.
        ca.issue(new CertificateName(Role.AGENT, "t-001", List.of("t-001")), List.of(), Duration.ofDays(1))
                .write(dir, "next");
        Files.copy(dir.resolve("next-key.pem"), dir.resolve("t-001-key.pem"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        touch("t-001-key.pem");
        long until = System.nanoTime() + 2 * ReloadingClientContext.CHECK_EVERY_NANOS + 500_000_000L;
        while (System.nanoTime() < until) {
            assertThat(presented(client)).isEqualTo(before);
        }

        Files.copy(dir.resolve("next.pem"), dir.resolve("t-001.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        touch("t-001.pem");
        await().atMost(BOUND).until(() -> presented(client).equals(serial("next.pem")));
    }

    @Test
    void aCaBundleGainingANewCaIsTrustedWithoutARestart() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("other", Duration.ofDays(30));
        Path bundle = dir.resolve("bundle.pem");
        Files.copy(dir.resolve("ca.pem"), bundle);
        // A client that trusts only another CA is refused by its own check of the server.
        PemFiles.writeCertificates(bundle, List.of(other.certificate()));
        SSLContext client = ReloadingClientContext.of(Optional.of(bundle),
                Optional.of(dir.resolve("t-001.pem")), Optional.of(dir.resolve("t-001-key.pem")));
        assertThatThrownBy(() -> presented(client)).isInstanceOf(IOException.class);

        PemFiles.writeCertificates(bundle, List.of(other.certificate(), ca.certificate()));
        touch("bundle.pem");
        await().atMost(BOUND).ignoreExceptions().until(() -> presented(client).equals(serial("t-001.pem")));
    }

    @Test
    void aCertificateWithoutItsKeyIsRefusedInOneLine() {
        assertThatThrownBy(() -> ReloadingClientContext.of(Optional.empty(), Optional.of(dir.resolve("t-001.pem")),
                Optional.empty())).hasMessage(dir.resolve("t-001.pem") + ": a client certificate needs its key");
        assertThatThrownBy(() -> ReloadingClientContext.of(Optional.empty(), Optional.of(dir.resolve("t-001.pem")),
                Optional.of(dir.resolve("server-key.pem"))))
                .hasMessage(dir.resolve("server-key.pem") + " is not the key of the certificate in "
                        + dir.resolve("t-001.pem"));
    }

    // ---- helpers ----

    private void agent(String node) throws IOException {
        ca.issue(new CertificateName(Role.AGENT, node, List.of(node)), List.of(), Duration.ofDays(1)).write(dir, node);
    }

    /** Files replaced within the same second may keep their time stamp on coarse file systems: move it on. */
    private void touch(String... files) throws IOException {
        for (String f : files) {
            Files.setLastModifiedTime(dir.resolve(f), FileTime.from(Instant.now().plusSeconds(3)));
        }
    }

    private BigInteger serial(String file) {
        return PemFiles.readCertificates(dir.resolve(file)).get(0).getSerialNumber();
    }

    /** Connects once with a fresh socket and returns the serial the server saw. */
    private BigInteger presented(SSLContext client) throws IOException {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1",
                server.getLocalPort())) {
            s.setSoTimeout(5_000);
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            String line = new String(s.getInputStream().readAllBytes()).strip();
            if (line.isEmpty()) {
                throw new IOException("the server closed without an answer");
            }
            return new BigInteger(line, 16);
        }
    }
}
