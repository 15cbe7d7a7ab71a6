package io.nvmesh.cli.remote;

import io.nvmesh.core.certs.PemFiles;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the CLI speaks TLS to an instance: the CA bundle it trusts for the server's certificate ({@code --cacert}; the
 * JVM's trusted CAs without one) and its own client certificate and key ({@code --cert}, {@code --key}), which name
 * the caller to an instance that asks for one (docs/security.md).
 */
public record ClientTls(Optional<Path> cacert, Optional<Path> cert, Optional<Path> key) {

    public static final ClientTls NONE = new ClientTls(Optional.empty(), Optional.empty(), Optional.empty());

    public ClientTls {
        Objects.requireNonNull(cacert, "cacert");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }

    public boolean isNone() {
        return cacert.isEmpty() && cert.isEmpty() && key.isEmpty();
    }

    /**
     * An HTTP client builder that trusts the CA bundle and presents the certificate.
     *
     * @throws IllegalArgumentException naming the file that does not read, or a certificate without its key
     */
    HttpClient.Builder builder() {
        HttpClient.Builder b = HttpClient.newBuilder();
        if (!isNone()) {
            b.sslContext(PemFiles.clientContext(cacert, cert, key));
        }
        return b;
    }
}
