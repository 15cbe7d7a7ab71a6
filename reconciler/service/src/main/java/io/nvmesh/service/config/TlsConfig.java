package io.nvmesh.service.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS on the instance's one listener, and what it presents and trusts when it calls peers (docs/security.md).
 *
 * @param certificate PEM chain this instance serves (and presents to peers as its client certificate), leaf first
 * @param key         its unencrypted PKCS#8 PEM key
 * @param clientCa    PEM bundle of the CAs whose client certificates name callers; empty: no client certificates
 * @param clientAuth  whether a client certificate is asked for
 * @param ca          PEM bundle of the CAs trusted for peers' server certificates; empty: {@code clientCa}
 */
public record TlsConfig(Path certificate, Path key, Optional<Path> clientCa, ClientAuth clientAuth, Optional<Path> ca) {

    /** Whether the server asks for a client certificate. */
    public enum ClientAuth {
        /** Never asks: identity from bearer tokens only. */
        NONE,
        /** Asks; a client without one may still use a bearer token. */
        WANT,
        /** Refuses the handshake without a certificate from {@code clientCa}. */
        NEED;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TlsConfig {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientCa, "clientCa");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(ca, "ca");
        if (clientAuth != ClientAuth.NONE && clientCa.isEmpty()) {
            throw new IllegalArgumentException("tls.clientAuth " + clientAuth.word() + " needs tls.clientCa");
        }
    }

    /** Serving this certificate; client certificates from {@code clientCa} asked for (want) when it is given. */
    public static TlsConfig of(Path certificate, Path key, Optional<Path> clientCa) {
        return new TlsConfig(certificate, key, clientCa, clientCa.isPresent() ? ClientAuth.WANT : ClientAuth.NONE,
                Optional.empty());
    }

    public TlsConfig withClientAuth(ClientAuth auth) {
        return new TlsConfig(certificate, key, clientCa, auth, ca);
    }

    public TlsConfig withCa(Optional<Path> serverCa) {
        return new TlsConfig(certificate, key, clientCa, clientAuth, serverCa);
    }

    /** The CA bundle peers' server certificates are checked against. */
    public Optional<Path> trustedCa() {
        return ca.or(() -> clientCa);
    }
}
